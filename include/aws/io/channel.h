#ifndef AWS_IO_CHANNEL_H
#define AWS_IO_CHANNEL_H
/* Channels, slots and handlers; declarations in the generated header.
 *
 * Threads: a channel belongs to one event loop. on_setup_completed,
 * on_shutdown_completed, channel tasks and every handler vtable call run on
 * that loop's thread. aws_channel_shutdown, aws_channel_schedule_task_*,
 * aws_channel_acquire_hold/release_hold, aws_channel_destroy (after shutdown)
 * and aws_channel_thread_is_callers_thread may be called from any thread;
 * everything else only from the loop thread.
 *
 * Shutdown order: the read direction left to right, then the write direction
 * right to left (each handler reports with
 * aws_channel_slot_on_handler_shutdown_complete), then on_shutdown_completed. */
#include <aws/io/io.h>
#include <aws/common/statistics.h>
#include <aws/common/task_scheduler.h>

#endif /* AWS_IO_CHANNEL_H */
