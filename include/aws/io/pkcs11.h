#ifndef AWS_IO_PKCS11_H
#define AWS_IO_PKCS11_H
/* PKCS#11 modules: struct aws_pkcs11_lib_options, enum aws_pkcs11_lib_behavior
 * and aws_pkcs11_lib_new/_acquire/_release, from the generated header. The
 * functions of upstream's private pkcs11_private.h are declared there too,
 * with CK_* types spelled as the PKCS#11 standard's pkcs11.h defines them
 * (unsigned long, struct CK_FUNCTION_LIST), so either header may come first. */
#include <aws/io/io.h>

/* Upstream's first, misspelled name of the enum. */
#define aws_pcks11_lib_behavior aws_pkcs11_lib_behavior

#endif /* AWS_IO_PKCS11_H */
