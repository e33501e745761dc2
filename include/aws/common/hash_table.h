#ifndef AWS_COMMON_HASH_TABLE_H
#define AWS_COMMON_HASH_TABLE_H
/* aws-c-event-stream-rs: struct aws_hash_table / aws_hash_element / aws_hash_iter,
 * the callback typedefs, AWS_COMMON_HASH_TABLE_ITER_* and every aws_hash_*
 * function are declared in the generated header with upstream's layout.
 *
 * Semantics (as upstream):
 *  - Element pointers from find/create/put stay valid until the next put,
 *    create, remove, clear or clean_up.
 *  - put on an existing key destroys the old value, and the old key if it is a
 *    different pointer; remove without p_value destroys key and value; clear and
 *    clean_up destroy every element.
 *  - foreach: return a mask of CONTINUE (keep going), DELETE (remove this element
 *    without destroying it) and ERROR (stop; foreach returns AWS_OP_ERR).
 *  - An iterator survives aws_hash_iter_delete(); continue with aws_hash_iter_next().
 *  - Same hash functions and slot placement as upstream, so iteration order
 *    matches for the same keys. */
#include <aws/common/common.h>

#endif /* AWS_COMMON_HASH_TABLE_H */
