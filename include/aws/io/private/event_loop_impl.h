#ifndef AWS_IO_EVENT_LOOP_IMPL_H
#define AWS_IO_EVENT_LOOP_IMPL_H
/* For event-loop implementations and tests: struct aws_event_loop, its base
 * helpers (aws_event_loop_new_base, aws_event_loop_init_base, ...), local
 * objects and io-event subscription. Declarations in the generated header. */
#include <aws/common/atomics.h>
#include <aws/common/hash_table.h>
#include <aws/common/ref_count.h>
#include <aws/io/event_loop.h>

#endif /* AWS_IO_EVENT_LOOP_IMPL_H */
