#ifndef AWS_IO_EVENT_LOOP_H
#define AWS_IO_EVENT_LOOP_H
/* Event loops and their vtable; declarations in the generated header. */
#include <aws/io/io.h>

#endif /* AWS_IO_EVENT_LOOP_H */
