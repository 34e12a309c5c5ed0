/* smp_serial.h: the USART (RM0090 30.6: SR, DR, BRR, CR1) polled, and the framing. At the reset
 * clock (HSI 16 MHz, APB1 16 MHz) BRR 139 gives 115,108 baud for the board's 115,200 (0.08 % off).
 * Under QEMU netduinoplus2, USART2 is the second -serial. */
#include "smp_serial.h"

#define REG(a) (*(volatile uint32_t *)(a))
#define RCC_AHB1ENR REG(0x40023830u)
#define RCC_APB1ENR REG(0x40023840u)
#define GPIOA_MODER REG(0x40020000u)
#define GPIOA_AFRL REG(0x40020020u)
#define USART2_SR REG(0x40004400u)
#define USART2_DR REG(0x40004404u)
#define USART2_BRR REG(0x40004408u)
#define USART2_CR1 REG(0x4000440Cu)
#define SR_RXNE (1u << 5)
#define SR_TXE (1u << 7)
#define SR_TC (1u << 6)
#define CR1_UE (1u << 13)
#define CR1_TE (1u << 3)
#define CR1_RE (1u << 2)
#define LINE_MAX_BYTES 127u
#define LINE_RAW_BYTES 93u /* 124 base64 characters + marker + '\n' = 127 */

void uart_init(void) {
  RCC_AHB1ENR |= 1u << 0;
  RCC_APB1ENR |= 1u << 17; /* USART2 */
  (void)RCC_APB1ENR;
  GPIOA_AFRL = (GPIOA_AFRL & ~0xFF00u) | 0x7700u; /* PA2 TX, PA3 RX: AF7 */
  GPIOA_MODER = (GPIOA_MODER & ~(0xFu << 4)) | (0xAu << 4);
  USART2_BRR = 139u;
  USART2_CR1 = CR1_UE | CR1_TE | CR1_RE;
}

static void put_byte(uint8_t b) {
  while (!(USART2_SR & SR_TXE)) {}
  USART2_DR = b;
}

void uart_write(const void *p, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) put_byte(((const uint8_t *)p)[i]);
  while (!(USART2_SR & SR_TC)) {}
}

void uart_puts(const char *s) {
  uint32_t n = 0;
  while (s[n]) n++;
  uart_write(s, n);
}

static uint8_t get_byte(void) {
  while (!(USART2_SR & SR_RXNE)) {}
  return (uint8_t)USART2_DR; /* reading DR also clears an overrun */
}

uint16_t smp_crc16(const uint8_t *p, uint32_t n) {
  uint16_t crc = 0;
  for (uint32_t i = 0; i < n; i++) {
    crc ^= (uint16_t)(p[i] << 8);
    for (int b = 0; b < 8; b++) crc = crc & 0x8000u ? (uint16_t)(crc << 1 ^ 0x1021u) : (uint16_t)(crc << 1);
  }
  return crc;
}

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64_value(uint8_t c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Decodes one line's base64 onto out[*len..cap); -1 when it is not base64 or does not fit. */
static int b64_decode(const uint8_t *s, uint32_t n, uint8_t *out, uint32_t *len, uint32_t cap) {
  if (n % 4) return -1;
  for (uint32_t i = 0; i < n; i += 4) {
    int v[4], pad = 0;
    for (int k = 0; k < 4; k++) {
      if (s[i + k] == '=' && k >= 2 && i + 4 == n) {
        v[k] = 0;
        pad++;
        continue;
      }
      if (pad || (v[k] = b64_value(s[i + k])) < 0) return -1;
    }
    uint32_t bits = (uint32_t)(v[0] << 18 | v[1] << 12 | v[2] << 6 | v[3]);
    uint32_t bytes = 3u - (uint32_t)pad;
    if (bytes > cap - *len) return -1;
    for (uint32_t k = 0; k < bytes; k++) out[(*len)++] = (uint8_t)(bits >> (16 - 8 * k));
  }
  return 0;
}

uint32_t smp_serial_receive(uint8_t *msg, uint32_t cap) {
  static uint8_t packet[SMP_MAX_MESSAGE_BYTES + 4];
  uint8_t line[LINE_MAX_BYTES + 1];
  uint32_t have = 0;
  int in_packet = 0;
  for (;;) {
    uint32_t n = 0;
    int too_long = 0;
    for (uint8_t c = get_byte(); c != '\n'; c = get_byte()) {
      if (n < sizeof line)
        line[n++] = c;
      else
        too_long = 1;
    }
    if (n && line[n - 1] == '\r') n--;
    if (too_long || n < 2) {
      in_packet = 0;
      continue;
    }
    int first = line[0] == 0x06 && line[1] == 0x09, more = line[0] == 0x04 && line[1] == 0x14;
    if (first) {
      have = 0;
      in_packet = 1;
    } else if (!more || !in_packet) {
      in_packet = 0;
      continue;
    } /* console text, or a continuation without its start */
    if (b64_decode(line + 2, n - 2, packet, &have, sizeof packet) != 0) {
      in_packet = 0;
      continue;
    }
    if (have < 2) continue;
    uint32_t total = (uint32_t)packet[0] << 8 | packet[1];
    if (total < 2 || total - 2 > cap || total + 2 > sizeof packet) {
      in_packet = 0;
      continue;
    }
    if (have < total + 2) continue;
    in_packet = 0;
    if (have != total + 2 || smp_crc16(packet + 2, total) != 0) continue; /* the CRC over message + CRC is 0 */
    for (uint32_t i = 0; i < total - 2; i++) msg[i] = packet[2 + i];
    return total - 2;
  }
}

void smp_serial_send(const uint8_t *msg, uint32_t len) {
  static uint8_t packet[SMP_MAX_MESSAGE_BYTES + 4];
  if (len > SMP_MAX_MESSAGE_BYTES) return;
  uint16_t crc = smp_crc16(msg, len);
  packet[0] = (uint8_t)((len + 2) >> 8);
  packet[1] = (uint8_t)(len + 2);
  for (uint32_t i = 0; i < len; i++) packet[2 + i] = msg[i];
  packet[2 + len] = (uint8_t)(crc >> 8);
  packet[3 + len] = (uint8_t)crc;
  uint32_t total = len + 4;
  for (uint32_t at = 0; at < total; at += LINE_RAW_BYTES) {
    uint8_t line[LINE_MAX_BYTES];
    uint32_t n = 0, end = at + LINE_RAW_BYTES < total ? at + LINE_RAW_BYTES : total;
    line[n++] = at ? 0x04 : 0x06;
    line[n++] = at ? 0x14 : 0x09;
    for (uint32_t i = at; i < end; i += 3) {
      uint32_t k = end - i >= 3 ? 3 : end - i;
      uint32_t bits =
          (uint32_t)packet[i] << 16 | (k > 1 ? (uint32_t)packet[i + 1] << 8 : 0) | (k > 2 ? packet[i + 2] : 0);
      line[n++] = (uint8_t)B64[bits >> 18 & 63];
      line[n++] = (uint8_t)B64[bits >> 12 & 63];
      line[n++] = k > 1 ? (uint8_t)B64[bits >> 6 & 63] : '=';
      line[n++] = k > 2 ? (uint8_t)B64[bits & 63] : '=';
    }
    line[n++] = '\n';
    uart_write(line, n);
  }
}
