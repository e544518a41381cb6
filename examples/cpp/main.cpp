// Runs an RNN Explorer export (model.pt2, compiled by AOTInductor) with libtorch, the way a device
// would: samples arrive one by one, a ring buffer keeps the last window, and every new sample
// once the buffer is full gives one prediction, printed as a CSV line.
//
//   rnn_export_example <export folder> [samples.csv] [--repeat N]
//
// The folder is the unzipped export: model.pt2 and model.json (the sidecar) are read from it;
// samples.csv has one sample per row, one column per input channel, in model.json's order and
// units. The z-scores and any "change added back" are inside the graph: feed raw values.
#include <torch/csrc/inductor/aoti_package/model_package_loader.h>
#include <torch/torch.h>

#include <chrono>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace {

// What the example needs from model.json: the window, the channels and the input's type.
struct Sidecar {
  int64_t window = 0;
  std::vector<std::string> channels;
  bool token_ids = false;  // text: int64 token ids instead of float32 values
};

// A sentence for the person running it, and no prediction.
[[noreturn]] void refuse(const std::string& sentence) {
  std::cerr << sentence << "\n";
  std::exit(2);
}

std::string read_file(const std::string& path, const std::string& what) {
  std::ifstream file(path);
  if (!file) refuse("There is no " + what + " at " + path + ": unzip the whole export there.");
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// model.json is read with three patterns: the example needs no JSON library.
Sidecar read_sidecar(const std::string& folder) {
  const std::string json = read_file(folder + "/model.json", "sidecar (model.json)");
  std::smatch found;
  Sidecar sidecar;
  if (!std::regex_search(json, std::regex("\"format\":\\s*\"rnn-explorer-export\"")))
    refuse("model.json is not an RNN Explorer export's sidecar: download the export again.");
  if (std::regex_search(json, found, std::regex("\"window_length\":\\s*(\\d+)")))
    sidecar.window = std::stoll(found[1]);
  if (std::regex_search(json, found, std::regex("\"channels\":\\s*\\[([^\\]]*)\\]"))) {
    const std::string list = found[1];
    const std::regex name("\"([^\"]*)\"");
    for (auto it = std::sregex_iterator(list.begin(), list.end(), name);
         it != std::sregex_iterator(); ++it)
      sidecar.channels.push_back((*it)[1]);
  }
  sidecar.token_ids = std::regex_search(json, std::regex("\"dtype\":\\s*\"int64\""));
  if (sidecar.window < 1 || sidecar.channels.empty())
    refuse("model.json has no window length or no input channels: download the export again.");
  return sidecar;
}

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream stream(line);
  for (std::string cell; std::getline(stream, cell, ',');) cells.push_back(cell);
  return cells;
}

// The samples, (N, C) row by row; the header must name the channels in the sidecar's order.
std::vector<std::vector<double>> read_samples(const std::string& path, const Sidecar& sidecar) {
  std::istringstream text(read_file(path, "samples file"));
  std::string line;
  std::getline(text, line);
  const auto header = split_csv_line(line);
  if (header != sidecar.channels) {
    std::string expected;
    for (const auto& name : sidecar.channels) expected += (expected.empty() ? "" : ",") + name;
    refuse(path + " has " + std::to_string(header.size()) + " column(s) but the model reads " +
           std::to_string(sidecar.channels.size()) + " channel(s): give it the columns " +
           expected + ", in that order.");
  }
  std::vector<std::vector<double>> rows;
  while (std::getline(text, line)) {
    if (line.empty()) continue;
    const std::string where = "Row " + std::to_string(rows.size() + 2) + " of " + path;
    std::vector<double> row;
    for (const auto& cell : split_csv_line(line)) {
      try {
        row.push_back(std::stod(cell));
      } catch (const std::exception&) {
        refuse(where + " has a value that is not a number (" + cell + "): fix or remove it.");
      }
    }
    if (row.size() != sidecar.channels.size())
      refuse(where + " does not have one value per channel: fix or remove it.");
    rows.push_back(row);
  }
  return rows;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) refuse("Usage: rnn_export_example <export folder> [samples.csv] [--repeat N]");
  const std::string folder = argv[1];
  std::string samples_path = folder + "/samples.csv";
  int repeat = 1;  // passes over the samples, for a steadier timing
  for (int i = 2; i < argc; ++i) {
    if (std::string(argv[i]) == "--repeat" && i + 1 < argc) repeat = std::stoi(argv[++i]);
    else samples_path = argv[i];
  }
  const Sidecar sidecar = read_sidecar(folder);
  const auto samples = read_samples(samples_path, sidecar);
  read_file(folder + "/model.pt2", "compiled model (model.pt2)");  // a sentence if it is missing

  torch::set_num_threads(1);  // as on a small device: one core
  std::unique_ptr<torch::inductor::AOTIModelPackageLoader> model;
  try {
    model = std::make_unique<torch::inductor::AOTIModelPackageLoader>(folder + "/model.pt2");
  } catch (const std::exception&) {
    refuse("model.pt2 cannot be loaded (damaged, or compiled for another torch version than "
           "this libtorch " TORCH_VERSION "): export the model again.");
  }

  const int64_t T = sidecar.window, C = static_cast<int64_t>(sidecar.channels.size());
  std::vector<double> ring(T * C);  // the last T samples; `next` is where the newest goes
  int64_t next = 0, seen = 0, predictions = 0;
  double seconds = 0.0;
  for (int pass = 0; pass < repeat; ++pass, seen = 0) {
    for (size_t n = 0; n < samples.size(); ++n) {
      std::copy(samples[n].begin(), samples[n].end(), ring.begin() + next * C);
      next = (next + 1) % T;
      if (++seen < T) continue;  // the buffer is not full yet
      const auto start = std::chrono::steady_clock::now();
      // The window oldest first: the ring from `next` round to `next - 1`.
      auto window = torch::empty({1, T, C}, torch::kDouble);
      auto* out = window.data_ptr<double>();
      for (int64_t t = 0; t < T; ++t)
        std::copy_n(ring.begin() + ((next + t) % T) * C, C, out + t * C);
      auto x = sidecar.token_ids ? window.squeeze(-1).to(torch::kLong) : window.to(torch::kFloat);
      auto y = model->run({x})[0];                  // (1, K) or (1, T, K)
      auto newest = y.dim() == 3 ? y[0][-1] : y[0];  // the prediction after the newest sample
      seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      ++predictions;
      if (pass + 1 < repeat) continue;  // print the last pass only
      std::cout << n;
      for (int64_t k = 0; k < newest.size(0); ++k)
        std::cout << "," << std::setprecision(9) << newest[k].item<float>();
      std::cout << "\n";
    }
  }
  if (predictions == 0)
    refuse("The samples are fewer than one window (" + std::to_string(T) + "): give more rows.");
  std::cerr << predictions << " predictions, " << 1e6 * seconds / predictions
            << " microseconds each (window of " << T << " samples, one thread)\n";
  return 0;
}
