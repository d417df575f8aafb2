// WAKESIM_UNINSTRUMENTED marks a timed measurement loop that sanitizers must leave alone: under
// AddressSanitizer every load would also read shadow memory (a second, random access per chase step),
// so a sanitizer build would measure the sanitizer instead of the machine. Only the innermost loops
// carry it; the code that builds their data structures stays instrumented and tested. They are also kept
// out of line: a sanitized caller cannot inline an unsanitized function, and a separate function keeps
// the timed loop's code the same in every build type.
#pragma once

#if defined(__GNUC__) || defined(__clang__)
#define WAKESIM_UNINSTRUMENTED __attribute__((no_sanitize("address", "undefined"))) __attribute__((noinline))
#else
#define WAKESIM_UNINSTRUMENTED
#endif
