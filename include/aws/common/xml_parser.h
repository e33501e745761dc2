#ifndef AWS_COMMON_XML_PARSER_H
#define AWS_COMMON_XML_PARSER_H
/* aws-c-event-stream-rs: struct aws_xml_attribute / aws_xml_parser_options,
 * the opaque struct aws_xml_node and the aws_xml_* functions are declared in
 * the generated header. A node is valid only inside its callback; the callback
 * reads it as a body or traverses its children, not both. Malformed documents
 * raise AWS_ERROR_INVALID_XML. */
#include <aws/common/array_list.h>
#include <aws/common/byte_buf.h>
#include <aws/common/exports.h>

#endif /* AWS_COMMON_XML_PARSER_H */
