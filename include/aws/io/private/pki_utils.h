#ifndef AWS_IO_PKI_UTILS_H
#define AWS_IO_PKI_UTILS_H
/* aws_determine_default_pki_dir / _ca_file; declared in the generated header. */
#include <aws/io/io.h>

#endif /* AWS_IO_PKI_UTILS_H */
