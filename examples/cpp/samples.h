// The samples a device would read, from a CSV: one row per sample, columns found by name.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "checks.h"

// The samples as (N, C), row by row, in model.json's channel order: each channel's column is found
// by its name in the header (any order; other columns are left unread), CRLF or LF line endings.
// Refuses with a sentence naming the row and column of a value that is not a finite number (or,
// for text, not a token id of the vocabulary).
std::vector<double> read_samples(const std::string& path, const Sidecar& sidecar);
