#ifndef AWS_IO_HOST_RESOLVER_H
#define AWS_IO_HOST_RESOLVER_H
/* Host resolution; declarations in the generated header.
 *
 * Threads of the callbacks (default resolver, as upstream):
 * - aws_on_host_resolved_result_fn: called exactly once per accepted
 *   aws_host_resolver_resolve_host() request. With live cached records it runs
 *   on the caller's thread before resolve_host returns; otherwise on the
 *   resolver thread that ran the query. On success the list holds at most one
 *   AAAA and one A `struct aws_host_address` (in that order), valid only during
 *   the call (copy with aws_host_address_copy). On failure the list is NULL and
 *   err_code is the resolve impl's error (AWS_IO_DNS_INVALID_NAME,
 *   AWS_IO_DNS_QUERY_FAILED, ...), or AWS_IO_DNS_QUERY_FAILED when it produced
 *   no address.
 * - aws_resolve_host_implementation_fn: runs on a resolver thread and may block.
 * - shutdown_options of aws_host_resolver_default_options: once, on a resolver
 *   clean-up thread, after the last release and after every in-flight request
 *   was answered; the resolver's memory is already freed.
 * - purge callbacks: once, on a separate thread, after the cache was cleared. */
#include <aws/common/array_list.h>
#include <aws/common/ref_count.h>
#include <aws/common/string.h>
#include <aws/io/io.h>

#endif /* AWS_IO_HOST_RESOLVER_H */
