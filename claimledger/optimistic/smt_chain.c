/* The sparse Merkle tree's hot loop in C (claimledger/optimistic/keccak64.py builds and loads it).
 *
 * chain(): the hash at height `end` of a node at height `start` on `key`'s path whose siblings
 * from `start` to `end - 1` are all empty, i.e. up to 256 keccak256 of 64 bytes, each
 * keccak256(zero ++ h) where the key's bit at that height is 1, else keccak256(h ++ zero).
 * keccak64(): one keccak256 of 64 bytes.
 *
 * Keccak-f[1600] after the public-domain "tiny" formulation (round constants, rotation offsets
 * and the pi lane order as in FIPS 202); lanes little-endian, so the loader checks the result
 * against eth_hash before using it. */
#include <stdint.h>
#include <string.h>

static const uint64_t RC[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL};
static const int ROTC[24] = {1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14,
                             27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44};
static const int PILN[24] = {10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4,
                             15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1};

#define ROTL64(x, y) (((x) << (y)) | ((x) >> (64 - (y))))

static void keccakf(uint64_t st[25]) {
    uint64_t bc[5], t;
    for (int r = 0; r < 24; r++) {
        for (int i = 0; i < 5; i++) bc[i] = st[i] ^ st[i + 5] ^ st[i + 10] ^ st[i + 15] ^ st[i + 20];
        for (int i = 0; i < 5; i++) {
            t = bc[(i + 4) % 5] ^ ROTL64(bc[(i + 1) % 5], 1);
            for (int j = 0; j < 25; j += 5) st[j + i] ^= t;
        }
        t = st[1];
        for (int i = 0; i < 24; i++) {
            int j = PILN[i];
            bc[0] = st[j];
            st[j] = ROTL64(t, ROTC[i]);
            t = bc[0];
        }
        for (int j = 0; j < 25; j += 5) {
            for (int i = 0; i < 5; i++) bc[i] = st[j + i];
            for (int i = 0; i < 5; i++) st[j + i] ^= (~bc[(i + 1) % 5]) & bc[(i + 2) % 5];
        }
        st[0] ^= RC[r];
    }
}

/* keccak256 of the 64 bytes left ++ right into out (32 bytes); out may alias either input. */
static void hash_pair(const uint8_t *left, const uint8_t *right, uint8_t *out) {
    uint64_t st[25] = {0};
    uint8_t *bytes = (uint8_t *)st;
    memcpy(bytes, left, 32);
    memcpy(bytes + 32, right, 32);
    bytes[64] ^= 0x01;  /* Keccak padding (not SHA-3's 0x06) */
    bytes[135] ^= 0x80; /* the last byte of the 136-byte rate */
    keccakf(st);
    memcpy(out, bytes, 32);
}

void keccak64(const uint8_t *data, uint8_t *out) { hash_pair(data, data + 32, out); }

/* key: 32 bytes big-endian; h: 32 bytes in, the result out. */
void chain(uint8_t *h, const uint8_t *key, int start, int end) {
    static const uint8_t zero[32] = {0};
    int empty = 1;
    for (int i = 0; i < 32; i++) empty &= h[i] == 0;
    if (empty) return;
    for (int height = start; height < end; height++) {
        int bit = (key[31 - height / 8] >> (height % 8)) & 1;
        if (bit) hash_pair(zero, h, h);
        else hash_pair(h, zero, h);
    }
}
