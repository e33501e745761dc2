#ifndef AWS_COMMON_ENCODING_H
#define AWS_COMMON_ENCODING_H
/* aws-c-event-stream-rs: the base64, hex and UTF-8 functions and
 * enum aws_text_encoding are declared in the generated header; this file adds
 * upstream's inline big-endian helpers and BOM sniffing.
 *
 * Placement, as upstream: aws_base64_encode / aws_base64_url_encode append
 * after output->len; aws_base64_decode, aws_hex_encode and aws_hex_decode
 * write from the start of output and set output->len. On error nothing is
 * written. */
#include <aws/common/byte_buf.h>
#include <aws/common/common.h>

#include <memory.h>

/* Big-endian (network order) stores and loads of unaligned integers. The
 * buffer must hold 8, 4, 3 or 2 bytes respectively. */
AWS_STATIC_IMPL void aws_write_u64(uint64_t value, uint8_t *buffer) {
    for (int i = 7; i >= 0; --i) {
        buffer[i] = (uint8_t)value;
        value >>= 8;
    }
}

AWS_STATIC_IMPL uint64_t aws_read_u64(const uint8_t *buffer) {
    uint64_t value = 0;
    for (int i = 0; i < 8; ++i) {
        value = (value << 8) | buffer[i];
    }
    return value;
}

AWS_STATIC_IMPL void aws_write_u32(uint32_t value, uint8_t *buffer) {
    buffer[0] = (uint8_t)(value >> 24);
    buffer[1] = (uint8_t)(value >> 16);
    buffer[2] = (uint8_t)(value >> 8);
    buffer[3] = (uint8_t)value;
}

AWS_STATIC_IMPL uint32_t aws_read_u32(const uint8_t *buffer) {
    return ((uint32_t)buffer[0] << 24) | ((uint32_t)buffer[1] << 16) | ((uint32_t)buffer[2] << 8) | buffer[3];
}

/* The low 24 bits of value; the top byte is ignored. */
AWS_STATIC_IMPL void aws_write_u24(uint32_t value, uint8_t *buffer) {
    buffer[0] = (uint8_t)(value >> 16);
    buffer[1] = (uint8_t)(value >> 8);
    buffer[2] = (uint8_t)value;
}

AWS_STATIC_IMPL uint32_t aws_read_u24(const uint8_t *buffer) {
    return ((uint32_t)buffer[0] << 16) | ((uint32_t)buffer[1] << 8) | buffer[2];
}

AWS_STATIC_IMPL void aws_write_u16(uint16_t value, uint8_t *buffer) {
    buffer[0] = (uint8_t)(value >> 8);
    buffer[1] = (uint8_t)value;
}

AWS_STATIC_IMPL uint16_t aws_read_u16(const uint8_t *buffer) {
    return (uint16_t)(((uint16_t)buffer[0] << 8) | buffer[1]);
}

/* Guesses the encoding from a byte-order mark (UTF-8, UTF-32 LE/BE, UTF-16
 * LE/BE, checked in that order); without one, ASCII if no byte has the high
 * bit set, else unknown. */
AWS_STATIC_IMPL enum aws_text_encoding aws_text_detect_encoding(const uint8_t *bytes, size_t size) {
    if (size >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF) {
        return AWS_TEXT_UTF8;
    }
    if (size >= 4 && ((bytes[0] == 0xFF && bytes[1] == 0xFE && bytes[2] == 0 && bytes[3] == 0) ||
                      (bytes[0] == 0 && bytes[1] == 0 && bytes[2] == 0xFE && bytes[3] == 0xFF))) {
        return AWS_TEXT_UTF32;
    }
    if (size >= 2 && ((bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF))) {
        return AWS_TEXT_UTF16;
    }
    for (size_t i = 0; i < size; ++i) {
        if (bytes[i] & 0x80) {
            return AWS_TEXT_UNKNOWN;
        }
    }
    return AWS_TEXT_ASCII;
}

/* True for a UTF-8 BOM or plain ASCII (it does not validate multi-byte text;
 * aws_decode_utf8 does). */
AWS_STATIC_IMPL bool aws_text_is_utf8(const uint8_t *bytes, size_t size) {
    enum aws_text_encoding encoding = aws_text_detect_encoding(bytes, size);
    return encoding == AWS_TEXT_UTF8 || encoding == AWS_TEXT_ASCII;
}

#endif /* AWS_COMMON_ENCODING_H */
