/* The image check, in the order of MCUboot's bootutil (boot/bootutil/src/image_validate.c,
 * bootutil_img_validate; tlv.c for walking the TLV areas), written for the pen's stricter rules:
 * every size and offset is checked before it is used, every TLV must be known, appear once and in its
 * area, and the image must run exactly where its slot is. */
#include "boot_image.h"
#include <string.h>
#include "mbedtls/sha256.h"
#include "mbedtls/ecdsa.h"
#include "mbedtls/ecp.h"

static const char *const names[] = {
    "ok",
    "no image (bad magic)",
    "header size is not the slot's",
    "load address is not the slot's",
    "flags other than ROM_FIXED",
    "image runs past the slot",
    "bad TLV area header",
    "TLV runs past its area",
    "unknown TLV",
    "TLV given twice",
    "required TLV missing",
    "SHA-256 mismatch (image changed)",
    "signed by a key this bootloader does not trust",
    "signature does not verify",
    "image for another board",
    "HAL ABI version differs",
    "linked for another address",
    "security counter below the stored minimum",
    "security counter above what the part can store",
    "not confirmed after its trial boots",
    "crypto library fault",
    "marked bad (the reason did not survive a power cut)",
};

_Static_assert(sizeof names / sizeof names[0] == IMG_REASON_COUNT, "one name per image_status");

const char *image_status_name(image_status s) { return (unsigned)s < IMG_REASON_COUNT ? names[s] : "?"; }

static uint32_t rd16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t rd32(const uint8_t *p) { return rd16(p) | rd16(p + 2) << 16; }

int image_has_magic(const uint8_t *slot) { return rd32(slot) == IMAGE_MAGIC; }

/* One TLV type the pen's images carry: its area and its length range (tools/lib/image/format.ts). */
typedef struct {
  uint16_t type;
  uint8_t prot;
  uint8_t min_bytes, max_bytes;
} tlv_rule;
static const tlv_rule rules[] = {
    {TLV_SEC_CNT, 1, 4, 4},           {TLV_PEN_BOARD, 1, 1, 64},    {TLV_PEN_HAL_ABI, 1, 4, 4},
    {TLV_PEN_WASM_SHA256, 1, 32, 32}, {TLV_PEN_LINK_ADDR, 1, 4, 4}, {TLV_SHA256, 0, 32, 32},
    {TLV_KEYHASH, 0, 32, 32},         {TLV_ECDSA_SIG, 0, 8, 72},
};
#define RULES (sizeof rules / sizeof rules[0])

typedef struct {
  const uint8_t *value;
  uint32_t len;
} tlv_found;

/* Walks one area [off, off + tot) of an image whose bytes end at `end`; fills found[] by rule index. */
static image_status walk_area(const uint8_t *slot, uint32_t off, uint32_t end, uint16_t magic, int prot,
                              uint32_t *tot_out, tlv_found *found) {
  if (end < 4 || off > end - 4) return IMG_TOO_BIG;
  const uint8_t *info = slot + off;
  uint32_t tot = rd16(info + 2);
  if (rd16(info) != magic || tot < 4) return IMG_BAD_TLV_INFO;
  if (tot > end - off) return IMG_TOO_BIG;
  uint32_t pos = off + 4, stop = off + tot;
  while (pos < stop) {
    if (stop - pos < 4) return IMG_BAD_TLV;
    uint32_t type = rd16(slot + pos), len = rd16(slot + pos + 2);
    if (len > stop - pos - 4) return IMG_BAD_TLV;
    uint32_t r = 0;
    while (r < RULES && rules[r].type != type) r++;
    if (r == RULES || rules[r].prot != prot)
      return IMG_UNKNOWN_TLV; /* a known TLV in the wrong area is unknown there */
    if (found[r].value) return IMG_DUPLICATE_TLV;
    if (len < rules[r].min_bytes || len > rules[r].max_bytes) return IMG_BAD_TLV;
    found[r].value = slot + pos + 4;
    found[r].len = len;
    pos += 4 + len;
  }
  *tot_out = tot;
  return IMG_OK;
}

static const tlv_found *get(const tlv_found *found, uint16_t type) {
  for (uint32_t r = 0; r < RULES; r++)
    if (rules[r].type == type) return &found[r];
  return 0;
}

/* The fixed 26-byte prefix of a P-256 SubjectPublicKeyInfo (RFC 5480): SEQUENCE, AlgorithmIdentifier
 * {id-ecPublicKey, prime256v1}, BIT STRING of 66 bytes; the uncompressed point (0x04 || X || Y) follows. */
static const uint8_t p256_spki_prefix[26] = {
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
    0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
};

/* ECDSA over the image hash with mbedTLS 2.28's lowest-level calls: the group, the key point read
 * from its uncompressed form, then the DER signature parsed and checked (ecdsa.h). */
static image_status verify_signature(const uint8_t hash[32], const tlv_found *sig, const image_policy *p) {
  if (p->pubkey_spki_bytes != sizeof p256_spki_prefix + 65 ||
      memcmp(p->pubkey_spki, p256_spki_prefix, sizeof p256_spki_prefix) != 0)
    return IMG_CRYPTO_FAULT;
  mbedtls_ecdsa_context ctx;
  mbedtls_ecdsa_init(&ctx);
  image_status st = IMG_CRYPTO_FAULT;
  if (mbedtls_ecp_group_load(&ctx.grp, MBEDTLS_ECP_DP_SECP256R1) == 0 &&
      mbedtls_ecp_point_read_binary(&ctx.grp, &ctx.Q, p->pubkey_spki + sizeof p256_spki_prefix, 65) == 0 &&
      mbedtls_ecp_check_pubkey(&ctx.grp, &ctx.Q) == 0) {
    /* returns 0 only when the DER is exactly one signature (no trailing bytes) and it verifies */
    st = mbedtls_ecdsa_read_signature(&ctx, hash, 32, sig->value, sig->len) == 0 ? IMG_OK : IMG_BAD_SIGNATURE;
  }
  mbedtls_ecdsa_free(&ctx);
  return st;
}

image_status image_check(const uint8_t *slot, uint32_t slot_addr, uint32_t usable_bytes, uint32_t header_bytes,
                         const image_policy *policy, image_info *info) {
  if (usable_bytes < IMAGE_HEADER_BYTES) return IMG_TOO_BIG;
  if (rd32(slot) != IMAGE_MAGIC) return IMG_NO_MAGIC;
  uint32_t load = rd32(slot + 4), hdr = rd16(slot + 8), prot_size = rd16(slot + 10);
  uint32_t img = rd32(slot + 12), flags = rd32(slot + 16);
  if (hdr != header_bytes || hdr < IMAGE_HEADER_BYTES) return IMG_BAD_HEADER_SIZE;
  if (load != slot_addr) return IMG_BAD_LOAD_ADDR;
  if (flags != IMAGE_F_ROM_FIXED) return IMG_BAD_FLAGS;
  if (img == 0 || img > usable_bytes - hdr) return IMG_TOO_BIG;

  tlv_found found[RULES];
  memset(found, 0, sizeof found);
  uint32_t prot_off = hdr + img, prot_tot = 0, unprot_tot = 0;
  if (prot_size == 0) return IMG_MISSING_TLV; /* the pen's TLVs are all protected */
  image_status st = walk_area(slot, prot_off, usable_bytes, IMAGE_TLV_PROT_INFO_MAGIC, 1, &prot_tot, found);
  if (st != IMG_OK) return st;
  if (prot_tot != prot_size) return IMG_BAD_TLV_INFO; /* tlv.c: it_tlv_tot must equal ih_protect_tlv_size */
  st = walk_area(slot, prot_off + prot_tot, usable_bytes, IMAGE_TLV_INFO_MAGIC, 0, &unprot_tot, found);
  if (st != IMG_OK) return st;
  for (uint32_t r = 0; r < RULES; r++)
    if (!found[r].value) return IMG_MISSING_TLV;

  /* the hash covers header, image and protected TLVs; the signature covers that hash */
  uint8_t hash[32];
  if (mbedtls_sha256_ret(slot, prot_off + prot_tot, hash, 0) != 0) return IMG_CRYPTO_FAULT;
  if (memcmp(hash, get(found, TLV_SHA256)->value, 32) != 0) return IMG_HASH_MISMATCH;
  uint8_t key_hash[32];
  if (mbedtls_sha256_ret(policy->pubkey_spki, policy->pubkey_spki_bytes, key_hash, 0) != 0) return IMG_CRYPTO_FAULT;
  if (memcmp(key_hash, get(found, TLV_KEYHASH)->value, 32) != 0) return IMG_UNKNOWN_KEY;
  st = verify_signature(hash, get(found, TLV_ECDSA_SIG), policy);
  if (st != IMG_OK) return st;

  /* signed facts: now they can be believed */
  const tlv_found *board = get(found, TLV_PEN_BOARD);
  if (strlen(policy->board) != board->len || memcmp(policy->board, board->value, board->len) != 0)
    return IMG_WRONG_BOARD;
  if (rd32(get(found, TLV_PEN_HAL_ABI)->value) != policy->hal_abi_version) return IMG_WRONG_HAL_ABI;
  if (rd32(get(found, TLV_PEN_LINK_ADDR)->value) != slot_addr + hdr) return IMG_BAD_LINK_ADDR;
  if (info) {
    info->img_size = img;
    info->hdr_size = hdr;
    info->security_counter = rd32(get(found, TLV_SEC_CNT)->value);
    info->ver_major = slot[20];
    info->ver_minor = slot[21];
    info->ver_revision = (uint16_t)rd16(slot + 22);
    info->ver_build = rd32(slot + 24);
  }
  return IMG_OK;
}
