#ifndef AWS_IO_PEM_H
#define AWS_IO_PEM_H
/* PEM objects (enum aws_pem_object_type, struct aws_pem_object) and their
 * functions; declarations in the generated header. */
#include <aws/common/array_list.h>
#include <aws/io/io.h>

#endif /* AWS_IO_PEM_H */
