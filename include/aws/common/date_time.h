#ifndef AWS_COMMON_DATE_TIME_H
#define AWS_COMMON_DATE_TIME_H
/* aws-c-event-stream-rs: struct aws_date_time, enum aws_date_format /
 * aws_date_month / aws_date_day_of_week and the aws_date_time_* functions are
 * declared in the generated header.
 *
 * Parsing: ISO 8601 ("2002-10-02T08:05:09Z", basic "20021002T080509Z",
 * fractional seconds skipped, Z or +hh[:]mm) and RFC 822
 * ("Wed, 02 Oct 2002 08:05:09 GMT"; the zone must be UTC-like or +hhmm);
 * AWS_DATE_FORMAT_AUTO_DETECT tries ISO 8601 first. Bad text raises
 * AWS_ERROR_INVALID_DATE_STR. Printing needs room for the text and a NUL
 * (AWS_ERROR_SHORT_BUFFER otherwise). */
#include <aws/common/common.h>

#include <time.h>

enum {
    AWS_DATE_TIME_STR_MAX_LEN = 100,
    AWS_DATE_TIME_STR_MAX_BASIC_LEN = 20,
};

#endif /* AWS_COMMON_DATE_TIME_H */
