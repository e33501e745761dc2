/* aws-checksums: known check values, continuation, and agreement between the
 * int and size_t entry points. */
#include <aws/checksums/crc.h>

#include "test_helpers.h"

static const uint8_t s_check[] = "123456789";

static void crc32_check_value(void) {
    CHECK_INT_EQ(0xCBF43926u, aws_checksums_crc32(s_check, 9, 0));
    CHECK_INT_EQ(0u, aws_checksums_crc32(NULL, 0, 0));
    uint32_t part = aws_checksums_crc32(s_check, 4, 0);
    CHECK_INT_EQ(0xCBF43926u, aws_checksums_crc32(s_check + 4, 5, part));
    CHECK_INT_EQ(0xCBF43926u, aws_checksums_crc32_ex(s_check, 9, 0));
}

static void crc32c_check_value(void) {
    CHECK_INT_EQ(0xE3069283u, aws_checksums_crc32c(s_check, 9, 0));
    uint32_t part = aws_checksums_crc32c(s_check, 3, 0);
    CHECK_INT_EQ(0xE3069283u, aws_checksums_crc32c(s_check + 3, 6, part));
    CHECK_INT_EQ(0xE3069283u, aws_checksums_crc32c_ex(s_check, 9, 0));
}

/* Large buffers take the multi-stream path; splitting anywhere must agree. */
static void large_buffers_split_anywhere(void) {
    enum { N = 100000 };
    static uint8_t data[N];
    for (size_t i = 0; i < N; ++i) {
        data[i] = (uint8_t)(i * 2654435761u >> 13);
    }
    uint32_t whole32 = aws_checksums_crc32(data, N, 0);
    uint32_t whole32c = aws_checksums_crc32c(data, N, 0);
    const int splits[] = {1, 4095, 12288, 50001, N - 1};
    for (size_t i = 0; i < sizeof(splits) / sizeof(splits[0]); ++i) {
        int s = splits[i];
        CHECK_INT_EQ(whole32, aws_checksums_crc32(data + s, N - s, aws_checksums_crc32(data, s, 0)));
        CHECK_INT_EQ(whole32c, aws_checksums_crc32c(data + s, N - s, aws_checksums_crc32c(data, s, 0)));
    }
}

int main(void) {
    RUN_TEST(crc32_check_value);
    RUN_TEST(crc32c_check_value);
    RUN_TEST(large_buffers_split_anywhere);
    return TEST_RESULT();
}
