/* Checks a signed image in a slot: MCUboot's layout (boot/bootutil/include/bootutil/image.h: struct
 * image_header, struct image_tlv_info, struct image_tlv, the TLV numbers) with the pen's own TLVs in
 * the vendor range (docs/updating.md). Plain C over a byte view of the slot, so the host tests run it
 * as it is. */
#ifndef BOOT_IMAGE_H
#define BOOT_IMAGE_H
#include <stdint.h>

#define IMAGE_MAGIC 0x96f3b83du
#define IMAGE_TLV_INFO_MAGIC 0x6907u
#define IMAGE_TLV_PROT_INFO_MAGIC 0x6908u
#define IMAGE_HEADER_BYTES 32u
#define IMAGE_F_ROM_FIXED 0x00000100u

enum {
  TLV_KEYHASH = 0x01,
  TLV_SHA256 = 0x10,
  TLV_ECDSA_SIG = 0x22,
  TLV_SEC_CNT = 0x50,
  TLV_PEN_BOARD = 0xa0,
  TLV_PEN_HAL_ABI = 0xa1,
  TLV_PEN_WASM_SHA256 = 0xa2,
  TLV_PEN_LINK_ADDR = 0xa3,
};

/* Why an image is refused; the names are printed and the number is kept in the slot's trailer. */
typedef enum {
  IMG_OK = 0,
  IMG_NO_MAGIC,
  IMG_BAD_HEADER_SIZE,
  IMG_BAD_LOAD_ADDR,
  IMG_BAD_FLAGS,
  IMG_TOO_BIG,
  IMG_BAD_TLV_INFO,
  IMG_BAD_TLV,
  IMG_UNKNOWN_TLV,
  IMG_DUPLICATE_TLV,
  IMG_MISSING_TLV,
  IMG_HASH_MISMATCH,
  IMG_UNKNOWN_KEY,
  IMG_BAD_SIGNATURE,
  IMG_WRONG_BOARD,
  IMG_WRONG_HAL_ABI,
  IMG_BAD_LINK_ADDR,
  IMG_ROLLBACK,
  IMG_COUNTER_RANGE,
  IMG_NOT_CONFIRMED,
  IMG_CRYPTO_FAULT,
  IMG_MARKED_BAD,
  IMG_REASON_COUNT
} image_status;

const char *image_status_name(image_status s);

/* What the bootloader was built to accept. */
typedef struct {
  const char *board;          /* PEN_BOARD must equal it */
  uint32_t hal_abi_version;   /* PEN_HAL_ABI must equal it */
  const uint8_t *pubkey_spki; /* DER SubjectPublicKeyInfo of the P-256 public key */
  uint32_t pubkey_spki_bytes;
} image_policy;

typedef struct {
  uint32_t img_size, hdr_size;
  uint32_t security_counter;
  uint8_t ver_major, ver_minor;
  uint16_t ver_revision;
  uint32_t ver_build;
} image_info;

/* `slot` is the slot's bytes as mapped (it runs in place at `slot_addr`); `usable_bytes` leaves out
 * its trailer. Everything is checked except the security counter, which is the caller's (it knows
 * the stored minimum). */
image_status image_check(const uint8_t *slot, uint32_t slot_addr, uint32_t usable_bytes, uint32_t header_bytes,
                         const image_policy *policy, image_info *info);

/* Only the header: enough to say whether a slot holds something that looks like an image. */
int image_has_magic(const uint8_t *slot);
#endif
