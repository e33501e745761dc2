/* Every hand-written header at upstream's paths, in one translation unit:
 * they must coexist and compile cleanly (the harness adds -Wall -Wextra
 * -Werror). The same set is checked by hand as C99 -pedantic, C11 and C++. */
#include <aws/common/allocator.h>
#include <aws/common/array_list.h>
#include <aws/common/assert.h>
#include <aws/common/atomics.h>
#include <aws/common/byte_buf.h>
#include <aws/common/byte_order.h>
#include <aws/common/cache.h>
#include <aws/common/cbor.h>
#include <aws/common/clock.h>
#include <aws/common/command_line_parser.h>
#include <aws/common/common.h>
#include <aws/common/condition_variable.h>
#include <aws/common/config.h>
#include <aws/common/cpuid.h>
#include <aws/common/cross_process_lock.h>
#include <aws/common/date_time.h>
#include <aws/common/device_random.h>
#include <aws/common/encoding.h>
#include <aws/common/environment.h>
#include <aws/common/error.h>
#include <aws/common/exports.h>
#include <aws/common/fifo_cache.h>
#include <aws/common/file.h>
#include <aws/common/hash_table.h>
#include <aws/common/host_utils.h>
#include <aws/common/json.h>
#include <aws/common/lifo_cache.h>
#include <aws/common/linked_hash_table.h>
#include <aws/common/linked_list.h>
#include <aws/common/log_channel.h>
#include <aws/common/log_formatter.h>
#include <aws/common/log_writer.h>
#include <aws/common/logging.h>
#include <aws/common/lru_cache.h>
#include <aws/common/macros.h>
#include <aws/common/math.h>
#include <aws/common/mutex.h>
#include <aws/common/package.h>
#include <aws/common/platform.h>
#include <aws/common/predicates.h>
#include <aws/common/priority_queue.h>
#include <aws/common/private/byte_buf.h>
#include <aws/common/private/thread_shared.h>
#include <aws/common/process.h>
#include <aws/common/ref_count.h>
#include <aws/common/ring_buffer.h>
#include <aws/common/rw_lock.h>
#include <aws/common/shutdown_types.h>
#include <aws/common/statistics.h>
#include <aws/common/stdbool.h>
#include <aws/common/stdint.h>
#include <aws/common/string.h>
#include <aws/common/system_info.h>
#include <aws/common/system_resource_util.h>
#include <aws/common/task_scheduler.h>
#include <aws/common/thread.h>
#include <aws/common/thread_scheduler.h>
#include <aws/common/time.h>
#include <aws/common/uri.h>
#include <aws/common/uuid.h>
#include <aws/common/xml_parser.h>
#include <aws/common/zero.h>

#include <aws/checksums/checksums.h>
#include <aws/checksums/crc.h>
#include <aws/checksums/exports.h>
#include <aws/checksums/xxhash.h>

/* The io and event-stream headers also include byte_buf.h, logging.h and
 * task_scheduler.h, which come from other parts of the project; they are
 * checked as soon as those exist. */
#if __has_include(<aws/common/byte_buf.h>) && __has_include(<aws/common/logging.h>) &&                              \
    __has_include(<aws/common/task_scheduler.h>)
#    include <aws/event-stream/event_stream.h>
#    include <aws/event-stream/event_stream_channel_handler.h>
#    include <aws/event-stream/event_stream_exports.h>
#    include <aws/event-stream/event_stream_rpc.h>
#    include <aws/event-stream/event_stream_rpc_client.h>
#    include <aws/event-stream/event_stream_rpc_server.h>
#    include <aws/io/async_stream.h>
#    include <aws/io/channel.h>
#    include <aws/io/channel_bootstrap.h>
#    include <aws/io/event_loop.h>
#    include <aws/io/exports.h>
#    include <aws/io/future.h>
#    include <aws/io/host_resolver.h>
#    include <aws/io/io.h>
#    include <aws/io/logging.h>
#    include <aws/io/message_pool.h>
#    include <aws/io/pem.h>
#    include <aws/io/pipe.h>
#    include <aws/io/pkcs11.h>
#    include <aws/io/file_utils.h>
#    include <aws/io/private/pem_utils.h>
#    include <aws/io/private/pki_utils.h>
#    include <aws/io/private/tls_channel_handler_private.h>
#    include <aws/io/private/tls_channel_handler_shared.h>
#    include <aws/io/retry_strategy.h>
#    include <aws/io/shared_library.h>
#    include <aws/io/socket.h>
#    include <aws/io/socket_channel_handler.h>
#    include <aws/io/statistics.h>
#    include <aws/io/stream.h>
#    include <aws/io/tls_channel_handler.h>
#endif

AWS_STATIC_ASSERT(AWS_OP_SUCCESS == 0);
AWS_STATIC_ASSERT(AWS_OP_ERR == -1);

int main(void) {
    return 0;
}
