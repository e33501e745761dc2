#ifndef AWS_COMMON_TASK_SCHEDULER_H
#define AWS_COMMON_TASK_SCHEDULER_H
/* Placeholder until its owner lands it. */
#include <aws/common/common.h>
#endif
