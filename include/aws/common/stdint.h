#ifndef AWS_COMMON_STDINT_H
#define AWS_COMMON_STDINT_H
/* Fixed-width integers plus upstream's aws_off_t. */
#include <aws/common/assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef int64_t aws_off_t;

#endif /* AWS_COMMON_STDINT_H */
