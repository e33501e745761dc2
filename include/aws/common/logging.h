#ifndef AWS_COMMON_LOGGING_H
#define AWS_COMMON_LOGGING_H
/* Placeholder until its owner lands it. */
#include <aws/common/common.h>
#endif
