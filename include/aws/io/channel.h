#ifndef AWS_IO_CHANNEL_H
#define AWS_IO_CHANNEL_H
/* Channels, slots and handlers; declarations in the generated header. */
#include <aws/io/io.h>
#include <aws/common/statistics.h>
#include <aws/common/task_scheduler.h>

#endif /* AWS_IO_CHANNEL_H */
