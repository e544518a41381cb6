// Prints the SHA-256 of each file as sha256sum does ("<digest>  <path>"): the same digest the
// example checks, so its tests can hold it to Python's hashlib.
#include <iostream>
#include <stdexcept>

#include "sha256.h"

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    try {
      std::cout << sha256_file(argv[i]) << "  " << argv[i] << "\n";
    } catch (const std::runtime_error& error) {
      std::cerr << "sha256: " << error.what() << "\n";
      return 1;
    }
  }
  return 0;
}
