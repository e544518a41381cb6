// What the example checks before it loads anything: every file of the export against the SHA-256
// and size model.json records (its manifest), model.json's fields within stated bounds, and
// model.json against the shapes and dtypes the compiled graph (model.pt2) was built with.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

constexpr int64_t kMaxWindow = 100000;       // samples in a window (the app trains at most 2000)
constexpr int64_t kMaxChannels = 4096;       // input channels
constexpr int64_t kMaxSidecarBytes = 1 << 26;  // model.json: 64 MiB

// A sentence for the person running it, on stderr, and exit status 2: no prediction.
[[noreturn]] void refuse(const std::string& sentence);

// A whole number of decimal digits from 0 to `max`, overflow-checked; false for anything else.
bool parse_count(const std::string& text, int64_t max, int64_t& out);

// What the example needs from model.json, each field checked against its bounds.
struct Sidecar {
  int64_t window = 0;
  std::vector<std::string> channels;
  bool token_ids = false;           // text: int64 token ids instead of float32 values
  int64_t token_count = 0;          // text: the vocabulary's size (ids run from 0 to it - 1)
  std::string input_shape;          // as "batch,12,8"
  std::string output_shape;         // as "batch,5" or "batch,12,5"
  std::string input_dtype, output_dtype;
};

// model.json read and bounded; then every file its manifest lists that lies in `folder` (and
// model.pt2, which must) checked by size and SHA-256. Refuses with a sentence on any mismatch.
Sidecar read_checked_sidecar(const std::string& folder);

// model.json against the compiled graph's own description (the package's metadata, read
// without loading its library): shapes, dtypes, channel names, vocabulary size.
void check_against_package(const Sidecar& sidecar,
                           const std::unordered_map<std::string, std::string>& metadata);
