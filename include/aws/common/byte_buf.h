#ifndef AWS_COMMON_BYTE_BUF_H
#define AWS_COMMON_BYTE_BUF_H
/* Placeholder until its owner lands it. */
#include <aws/common/common.h>
#endif
