#ifndef AWS_EVENT_STREAM_RS_HANDLERS_H
#define AWS_EVENT_STREAM_RS_HANDLERS_H
/* Extensions of aws-c-event-stream-rs (not in upstream): channel handlers
 * written in Rust that C programs may put in their channels. Declarations in
 * the generated header:
 *   aws_es_rs_counting_handler_new(allocator): a pass-through handler that
 *     counts bytes each way (the worked example of HACKING.md);
 *   aws_es_rs_counting_handler_bytes(handler, &read, &written): its counts,
 *     on the channel's loop thread. */
#include <aws/io/channel.h>

#endif /* AWS_EVENT_STREAM_RS_HANDLERS_H */
