#ifndef AWS_EVENT_STREAM_EXPORTS_H_
#define AWS_EVENT_STREAM_EXPORTS_H_
/* Export marker used on upstream's declarations; our library exports every
 * public symbol by default, so it expands to nothing unless the build sets it. */
#ifndef AWS_EVENT_STREAM_API
#    define AWS_EVENT_STREAM_API
#endif

#endif /* AWS_EVENT_STREAM_EXPORTS_H_ */
