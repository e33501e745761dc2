#ifndef AWS_COMMON_CONFIG_H
#define AWS_COMMON_CONFIG_H
/* aws-c-event-stream-rs: upstream generates this file at configure time.
 * Ours is fixed: the inline helpers only need to know that the GCC/Clang
 * overflow builtins exist, and the target architecture. */

#if defined(__GNUC__) || defined(__clang__)
#    define AWS_HAVE_GCC_OVERFLOW_MATH_EXTENSIONS
#    define AWS_HAVE_GCC_INLINE_ASM
#endif

#if defined(__linux__)
#    define AWS_HAVE_POSIX_LARGE_FILE_SUPPORT
#    define AWS_HAVE_EXECINFO
#    define AWS_HAVE_LINUX_IF_LINK_H
#endif

#if defined(__x86_64__) || defined(_M_X64)
#    define AWS_ARCH_INTEL
#    define AWS_ARCH_INTEL_X64
#elif defined(__i386__) || defined(_M_IX86)
#    define AWS_ARCH_INTEL
#elif defined(__aarch64__) || defined(_M_ARM64)
#    define AWS_ARCH_ARM64
#endif

#endif /* AWS_COMMON_CONFIG_H */
