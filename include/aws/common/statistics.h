#ifndef AWS_COMMON_STATISTICS_H
#define AWS_COMMON_STATISTICS_H
/* Statistics handler types come from the generated header; this adds the
 * per-library category range macros. */
#include <aws/common/common.h>
#include <aws/common/package.h>
#include <aws/common/stdint.h>

/* Library `x` owns categories [x * STRIDE, (x + 1) * STRIDE - 1]. */
#define AWS_CRT_STATISTICS_CATEGORY_BEGIN_RANGE(x) ((x)*AWS_CRT_STATISTICS_CATEGORY_STRIDE)
#define AWS_CRT_STATISTICS_CATEGORY_END_RANGE(x) (((x) + 1) * AWS_CRT_STATISTICS_CATEGORY_STRIDE - 1)

#endif /* AWS_COMMON_STATISTICS_H */
