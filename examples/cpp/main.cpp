// Runs an RNN Explorer export (model.pt2, compiled by AOTInductor) with libtorch, the way a device
// would: samples arrive one by one, a ring buffer keeps the last window, and every new sample
// once the buffer is full gives one prediction, printed as a CSV line.
//
//   rnn_export_example <export folder> [samples.csv] [--repeat N]
//
// The folder is the unzipped export: model.pt2 and model.json (the sidecar) are read from it;
// samples.csv has one sample per row and a column per input channel, named as in model.json (any
// order), in model.json's units. The z-scores and any "change added back" are inside the graph.
//
// A .pt2 holds native code, run as soon as it is loaded. Before that, every file of the export is
// checked against the SHA-256 and size model.json records, and model.json against the shapes the
// graph was compiled with (read from the package's metadata, not from its library); any mismatch,
// an out-of-bounds size or a sample that is not a finite number is refused with a sentence and
// exit status 2, before anything is allocated for it or loaded.
#include <torch/csrc/inductor/aoti_package/model_package_loader.h>
#include <torch/torch.h>

#include <chrono>
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

#include "checks.h"
#include "samples.h"

namespace {

constexpr int64_t kMaxRepeat = 1000000;

struct Arguments {
  std::string folder, samples_path;
  int64_t repeat = 1;  // passes over the samples, for a steadier timing
};

Arguments read_arguments(int argc, char** argv) {
  if (argc < 2) refuse("Usage: rnn_export_example <export folder> [samples.csv] [--repeat N]");
  Arguments arguments{argv[1], std::string(argv[1]) + "/samples.csv"};
  for (int i = 2; i < argc; ++i) {
    if (std::string(argv[i]) != "--repeat") {
      arguments.samples_path = argv[i];
    } else if (i + 1 >= argc || !parse_count(argv[++i], kMaxRepeat, arguments.repeat) ||
               arguments.repeat < 1) {
      refuse("--repeat takes a whole number from 1 to " + std::to_string(kMaxRepeat) + ".");
    }
  }
  return arguments;
}

std::unique_ptr<torch::inductor::AOTIModelPackageLoader> load_checked(const std::string& folder,
                                                                      const Sidecar& sidecar) {
  const std::string package = folder + "/model.pt2";
  try {  // the package's metadata, read from the zip: its library is not loaded yet
    check_against_package(
        sidecar, torch::inductor::AOTIModelPackageLoader::load_metadata_from_package(package, "model"));
  } catch (const std::exception&) {
    refuse("model.pt2 does not describe its input and output: export the model again.");
  }
  try {
    return std::make_unique<torch::inductor::AOTIModelPackageLoader>(package);
  } catch (const std::exception&) {
    refuse("model.pt2 cannot be loaded (compiled for another torch version than this libtorch "
           TORCH_VERSION ", or for another machine): export the model again.");
  }
}

}  // namespace

int main(int argc, char** argv) {
  const Arguments arguments = read_arguments(argc, argv);
  const Sidecar sidecar = read_checked_sidecar(arguments.folder);  // every file checked first
  const auto samples = read_samples(arguments.samples_path, sidecar);  // (N, C)
  torch::set_num_threads(1);  // as on a small device: one core
  const auto model = load_checked(arguments.folder, sidecar);

  const int64_t T = sidecar.window, C = static_cast<int64_t>(sidecar.channels.size());
  const int64_t N = static_cast<int64_t>(samples.size()) / C;
  std::vector<double> ring(T * C);  // the last T samples; `next` is where the newest goes
  int64_t next = 0, seen = 0, predictions = 0;
  double seconds = 0.0;
  for (int64_t pass = 0; pass < arguments.repeat; ++pass, seen = 0) {
    for (int64_t n = 0; n < N; ++n) {
      std::copy_n(samples.begin() + n * C, C, ring.begin() + next * C);
      next = (next + 1) % T;
      if (++seen < T) continue;  // the buffer is not full yet
      const auto start = std::chrono::steady_clock::now();
      // The window oldest first: the ring from `next` round to `next - 1`.
      auto window = torch::empty({1, T, C}, torch::kDouble);
      auto* out = window.data_ptr<double>();
      for (int64_t t = 0; t < T; ++t)
        std::copy_n(ring.begin() + ((next + t) % T) * C, C, out + t * C);
      auto x = sidecar.token_ids ? window.squeeze(-1).to(torch::kLong) : window.to(torch::kFloat);
      auto y = model->run({x})[0];                   // (1, K) or (1, T, K)
      auto newest = y.dim() == 3 ? y[0][-1] : y[0];  // the prediction after the newest sample
      seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      ++predictions;
      if (pass + 1 < arguments.repeat) continue;  // print the last pass only
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
