#ifndef AWS_COMMON_COMMAND_LINE_PARSER_H
#define AWS_COMMON_COMMAND_LINE_PARSER_H
/* aws-c-event-stream-rs: the option table types, aws_cli_getopt_long, its
 * state globals (aws_cli_optind, aws_cli_optarg, aws_cli_positional_arg) and
 * the sub-command dispatcher are declared in the generated header.
 * aws_cli_getopt_long returns an option's val, 0x02 for a positional argument
 * (then in aws_cli_positional_arg), '?' for an unknown option or a missing
 * value, and -1 at the end; "x:" in optstring means x takes a value. */
#include <aws/common/common.h>

#endif /* AWS_COMMON_COMMAND_LINE_PARSER_H */
