#include "checks.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "json.h"
#include "sha256.h"

namespace fs = std::filesystem;

namespace {

const std::string kAgain = "unzip the export again from the zip the app gave you.";

std::string read_small_file(const std::string& path, const std::string& what) {
  std::error_code error;
  const auto size = fs::file_size(path, error);
  if (error) refuse("There is no " + what + " at " + path + ": unzip the whole export there.");
  if (size > static_cast<uintmax_t>(kMaxSidecarBytes))
    refuse(what + " is larger than 64 MiB: it is not an export's sidecar; " + kAgain);
  std::ifstream file(path, std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

const Json& member(const Json& object, const std::string& key, Json::Kind kind) {
  const Json* found = object.find(key);
  if (found == nullptr || found->kind != kind)
    refuse("model.json has no valid \"" + key + "\": " + kAgain);
  return *found;
}

std::string shape_text(const Json& shape) {
  std::string out;
  for (const auto& item : shape.items) {
    if (item.kind != Json::Kind::String && item.kind != Json::Kind::Number)
      refuse("model.json has a shape that is not a list of sizes: " + kAgain);
    out += (out.empty() ? "" : ",") + item.text;
  }
  return out;
}

bool safe_name(const std::string& name) {
  if (name.empty() || name == "model.json" || name[0] == '.' || name.size() > 255) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-')
      return false;
  return true;
}

// One file of the manifest: absent is fine unless it is model.pt2; present, it must match.
void check_file(const std::string& folder, const std::string& name, const Json& record) {
  if (!safe_name(name)) refuse("model.json's manifest names a file it may not (" + name + "): " + kAgain);
  const Json& bytes = member(record, "bytes", Json::Kind::Number);
  const Json& sha256 = member(record, "sha256", Json::Kind::String);
  int64_t expected = 0;
  if (!parse_count(bytes.text, INT64_MAX, expected))
    refuse("model.json's manifest gives " + name + " a size that is not a byte count: " + kAgain);
  const std::string path = folder + "/" + name;
  std::error_code error;
  const auto size = fs::file_size(path, error);
  if (error) {
    if (name == "model.pt2") refuse("There is no model.pt2 at " + path + ": unzip the whole export there.");
    return;  // a file this program does not read may be left out on a device
  }
  if (size != static_cast<uintmax_t>(expected))
    refuse(name + " is not the file this export wrote: it has " + std::to_string(size) +
           " bytes where model.json records " + bytes.text + " (damaged or altered; nothing was "
           "loaded): " + kAgain);
  std::string actual;
  try {
    actual = sha256_file(path);
  } catch (const std::runtime_error&) {
    refuse(name + " cannot be read: check its permissions, or " + kAgain);
  }
  if (actual != sha256.text)
    refuse(name + " is not the file this export wrote: its SHA-256 differs from the one "
           "model.json records (damaged or altered; nothing was loaded): " + kAgain);
}

void check_manifest(const std::string& folder, const Json& root) {
  const Json* manifest = root.find("manifest");
  if (manifest == nullptr || manifest->kind != Json::Kind::Object || !manifest->find("model.pt2"))
    refuse("model.json has no manifest of the export's files (SHA-256 and size of each), so "
           "model.pt2 cannot be checked before it is loaded: export the model again.");
  for (const auto& [name, record] : manifest->members) {
    if (record.kind != Json::Kind::Object) refuse("model.json's manifest is damaged: " + kAgain);
    check_file(folder, name, record);
  }
}

void read_channels(const Json& input, Sidecar& sidecar) {
  const Json& channels = member(input, "channels", Json::Kind::Array);
  if (channels.items.empty() || static_cast<int64_t>(channels.items.size()) > kMaxChannels)
    refuse("model.json lists no input channels, or more than " + std::to_string(kMaxChannels) +
           ": " + kAgain);
  for (const auto& channel : channels.items) {
    if (channel.kind != Json::Kind::String || channel.text.empty())
      refuse("model.json has an input channel without a name: " + kAgain);
    for (const auto& seen : sidecar.channels)
      if (seen == channel.text) refuse("model.json names the channel " + seen + " twice: " + kAgain);
    sidecar.channels.push_back(channel.text);
  }
}

}  // namespace

void refuse(const std::string& sentence) {
  std::cerr << sentence << "\n";
  std::exit(2);
}

bool parse_count(const std::string& text, int64_t max, int64_t& out) {
  if (text.empty() || text.size() > 19) return false;  // 19 digits hold any int64
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    const int digit = c - '0';
    if (value > (max - digit) / 10) return false;  // value * 10 + digit would pass max
    value = value * 10 + digit;
  }
  out = value;
  return true;
}

Sidecar read_checked_sidecar(const std::string& folder) {
  const std::string text = read_small_file(folder + "/model.json", "sidecar (model.json)");
  Json root;
  try {
    root = parse_json(text);
  } catch (const std::runtime_error& error) {
    refuse(std::string("model.json is not valid JSON (") + error.what() + "): " + kAgain);
  }
  const Json* format = root.find("format");
  if (format == nullptr || format->text != "rnn-explorer-export")
    refuse("model.json is not an RNN Explorer export's sidecar: download the export again.");
  check_manifest(folder, root);
  Sidecar sidecar;
  const Json& window = member(root, "window_length", Json::Kind::Number);
  if (!parse_count(window.text, kMaxWindow, sidecar.window) || sidecar.window < 1)
    refuse("model.json's window_length (" + window.text.substr(0, 40) + ") is not a whole number "
           "from 1 to " + std::to_string(kMaxWindow) + ": " + kAgain);
  const Json& input = member(root, "input", Json::Kind::Object);
  const Json& output = member(root, "output", Json::Kind::Object);
  read_channels(input, sidecar);
  sidecar.input_dtype = member(input, "dtype", Json::Kind::String).text;
  sidecar.output_dtype = member(output, "dtype", Json::Kind::String).text;
  sidecar.input_shape = shape_text(member(input, "shape", Json::Kind::Array));
  sidecar.output_shape = shape_text(member(output, "shape", Json::Kind::Array));
  sidecar.token_ids = sidecar.input_dtype == "int64";
  if (sidecar.token_ids) {
    const Json* vocabulary = root.find("vocabulary");
    sidecar.token_count = vocabulary ? static_cast<int64_t>(vocabulary->items.size()) : 0;
    if (sidecar.channels.size() != 1 || sidecar.token_count < 1)
      refuse("model.json reads token ids but has no vocabulary or more than one channel: " + kAgain);
  }
  return sidecar;
}

void check_against_package(const Sidecar& sidecar,
                           const std::unordered_map<std::string, std::string>& metadata) {
  auto get = [&](const std::string& key) {
    const auto found = metadata.find("rnn_explorer." + key);
    if (found == metadata.end())
      refuse("model.pt2 does not describe its input and output (an export made before they were "
             "recorded): export the model again.");
    return found->second;
  };
  std::string channels;
  for (const auto& name : sidecar.channels) channels += (channels.empty() ? "" : ",") + name;
  const std::string ours = sidecar.input_dtype + " (" + sidecar.input_shape + ") of " + channels +
                           " -> " + sidecar.output_dtype + " (" + sidecar.output_shape + ")";
  std::string graph_channels;
  try {
    for (const auto& name : parse_json(get("channels")).items)
      graph_channels += (graph_channels.empty() ? "" : ",") + name.text;
  } catch (const std::runtime_error&) {
    refuse("model.pt2's description of its channels is damaged: export the model again.");
  }
  const std::string graph = get("input_dtype") + " (" + get("input_shape") + ") of " +
                            graph_channels + " -> " + get("output_dtype") + " (" +
                            get("output_shape") + ")";
  std::string window = "batch," + std::to_string(sidecar.window);  // (B, T) for token ids
  if (!sidecar.token_ids) window += "," + std::to_string(sidecar.channels.size());  // (B, T, C)
  if (ours != graph || sidecar.input_shape != window)
    refuse("model.json does not match model.pt2: model.json says " + ours + " with a window of " +
           std::to_string(sidecar.window) + ", the compiled graph reads " + graph +
           ". Nothing was loaded: " + kAgain);
  if (sidecar.token_ids && get("token_count") != std::to_string(sidecar.token_count))
    refuse("model.json's vocabulary (" + std::to_string(sidecar.token_count) + " characters) does "
           "not match model.pt2's (" + get("token_count") + "): " + kAgain);
}
