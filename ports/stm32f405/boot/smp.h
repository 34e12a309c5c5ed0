/* The bootloader's service mode: SMP (mcumgr's Simple Management Protocol) over the console USART
 * (smp_serial.h). Groups and commands as mcumgr's os_mgmt and img_mgmt:
 *   group 0 id 0  echo {"d"} -> {"r"}             group 0 id 5  reset
 *   group 1 id 0  read: image state list;  write {"hash", "confirm"}: test (pending) or confirm
 *   group 1 id 1  upload {"off", "data", "len", "sha"} into the free slot, resumed by sha and offset
 *   group 1 id 5  erase {"slot"}
 * Every refusal answers {"rc": MGMT_ERR_*, "rsn": "the reason in words"}.
 *
 * Entered when nothing is bootable, when the firmware asks for it (smp_service_requested) or when
 * the two service buttons are held at power-on. */
#ifndef SMP_H
#define SMP_H
#include "boot_state.h"

/* The request: a word in the state sector (boot_layout.h: sector 3, after the counter) that the
 * firmware's SERVICE command programs from erased to SERVICE_REQUEST_WORD, then resets; the
 * bootloader clears it to 0 when it enters service mode. SERVICE_REQUEST_WORDS words take one
 * request each, in order, so the sector is erased (with the counter rewritten) only after that many. */
#define SERVICE_REQUEST_ADDR (0x0800C000u + 0x100u)
#define SERVICE_REQUEST_WORDS 64u
#define SERVICE_REQUEST_WORD 0x5E4F1CE5u

/* 1 when a request is waiting; it is taken (cleared) at once. */
int smp_service_requested(const boot_flash *f);
/* Runs service mode until a reset command; does not return. `reason` is said on the line first. */
__attribute__((noreturn)) void smp_service(const boot_flash *f, const boot_config *c, const char *reason);
#endif
