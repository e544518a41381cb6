// SHA-256 (FIPS 180-4), small and dependency-free: the example checks every file of an export
// against the digest model.json records before it loads anything.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

class Sha256 {
 public:
  Sha256();
  void update(const unsigned char* data, size_t size);
  std::string hex();  // the digest as 64 lowercase hex digits; call once, after the last update

 private:
  void compress(const unsigned char* block);  // one 64-byte block into the state
  std::array<uint32_t, 8> state_;
  std::array<unsigned char, 64> block_{};
  size_t filled_ = 0;       // bytes waiting in block_
  uint64_t total_bytes_ = 0;
};

// The SHA-256 of a file's bytes, read in chunks; throws std::runtime_error if it cannot be read.
std::string sha256_file(const std::string& path);
