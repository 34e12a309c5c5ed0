/* SMP over a serial line (mcumgr's console framing, as Zephyr's mcumgr_serial.c and mynewt's
 * mcumgr serial transport): a packet is [length u16 BE][SMP message][CRC16 BE], where the length
 * counts the message and the CRC and the CRC is CRC-16/XMODEM (poly 0x1021, init 0) of the message;
 * it is base64-encoded and cut into lines of at most 127 bytes: 0x06 0x09 before the first,
 * 0x04 0x14 before each further one, '\n' after each. Each line's base64 decodes on its own. Other
 * lines (a console's text) are ignored. The line is the board's console USART (USART2, PA2/PA3). */
#ifndef SMP_SERIAL_H
#define SMP_SERIAL_H
#include <stdint.h>

#define SMP_MAX_MESSAGE_BYTES 1024u

void uart_init(void);
void uart_write(const void *p, uint32_t n);
void uart_puts(const char *s);
/* Waits for the next whole packet with a good CRC; its message (SMP header + CBOR) and length. */
uint32_t smp_serial_receive(uint8_t *msg, uint32_t cap);
void smp_serial_send(const uint8_t *msg, uint32_t len);
uint16_t smp_crc16(const uint8_t *p, uint32_t n);
#endif
