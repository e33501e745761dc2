#ifndef AWS_COMMON_PLATFORM_H
#define AWS_COMMON_PLATFORM_H
/* Operating-system detection macros (AWS_OS_*), as upstream defines them. */
#include <aws/common/config.h>

#if defined(_WIN32)
#    define AWS_OS_WINDOWS
#    if defined(AWS_HAVE_WINAPI_DESKTOP)
#        define AWS_OS_WINDOWS_DESKTOP
#    endif
#elif defined(__APPLE__)
#    define AWS_OS_APPLE
#    include "TargetConditionals.h"
#    if defined(TARGET_OS_IPHONE) && TARGET_OS_IPHONE
#        define AWS_OS_IOS
#    elif defined(TARGET_OS_WATCH) && TARGET_OS_WATCH
#        define AWS_OS_WATCHOS
#    elif defined(TARGET_OS_TV) && TARGET_OS_TV
#        define AWS_OS_TVOS
#    else
#        define AWS_OS_MACOS
#    endif
#elif defined(__linux__)
#    define AWS_OS_LINUX
#endif

#if defined(__ANDROID__)
#    define AWS_OS_ANDROID
#endif

/* _POSIX_VERSION lives in <unistd.h>; upstream only tests whatever the
 * includer already pulled in, and so do we. */
#if defined(_POSIX_VERSION)
#    define AWS_OS_POSIX
#endif

#endif /* AWS_COMMON_PLATFORM_H */
