// The rollback counter a release is signed with. The bootloader keeps the lowest counter it will start
// as a thermometer in 64 bytes of OTP (boot/boot_layout.h), so a counter is 0..512 and each step can
// be taken once: it goes up by one only in a release that fixes a vulnerability, never with every
// version (imgtool's "auto", (major << 24) | (minor << 16) | revision, would not fit).
export const SECURITY_COUNTER_MAX = 512;
/** The counter of the current firmware line: raise it by one in the release that must not be rolled back past. */
export const RELEASE_SECURITY_COUNTER = 1;

/** Why `n` cannot be an image's security counter, or undefined when it can. */
export function securityCounterProblem(n: number): string | undefined {
  if (!Number.isInteger(n) || n < 0 || n > SECURITY_COUNTER_MAX)
    return `${n} is out of range 0..${SECURITY_COUNTER_MAX}: the bootloader stores the counter as a ${SECURITY_COUNTER_MAX}-step thermometer in OTP and refuses an image whose counter it cannot store`;
  return undefined;
}
