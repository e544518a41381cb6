#include "samples.h"

#include <charconv>
#include <cmath>
#include <fstream>

namespace {

std::string trimmed(const std::string& text) {
  const size_t first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

std::vector<std::string> split_csv_line(std::string line) {
  if (!line.empty() && line.back() == '\r') line.pop_back();  // CRLF line endings
  std::vector<std::string> cells;
  size_t start = 0;
  for (size_t comma; (comma = line.find(',', start)) != std::string::npos; start = comma + 1)
    cells.push_back(trimmed(line.substr(start, comma - start)));
  cells.push_back(trimmed(line.substr(start)));
  return cells;
}

// The column of each channel in the header, or a sentence naming those missing.
std::vector<size_t> channel_columns(std::string header, const std::string& path,
                                    const Sidecar& sidecar) {
  if (header.rfind("\xEF\xBB\xBF", 0) == 0) header.erase(0, 3);  // a UTF-8 byte order mark
  const auto names = split_csv_line(header);
  std::vector<size_t> columns;
  std::string missing, all;
  for (const auto& channel : sidecar.channels) {
    all += (all.empty() ? "" : ",") + channel;
    size_t found = names.size(), count = 0;
    for (size_t i = 0; i < names.size(); ++i)
      if (names[i] == channel) found = i, ++count;
    if (count > 1) refuse(path + " has the column " + channel + " twice: keep one.");
    if (count == 0) missing += (missing.empty() ? "" : ",") + channel;
    columns.push_back(found);
  }
  if (!missing.empty())
    refuse(path + " has no column " + missing + ", but the model reads " +
           std::to_string(sidecar.channels.size()) + " channel(s): give it the columns " + all +
           " (in any order), named in its first line.");
  return columns;
}

double parse_value(const std::string& cell, const std::string& where, const Sidecar& sidecar) {
  double value = 0.0;
  const auto [end, error] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
  if (cell.empty() || error != std::errc() || end != cell.data() + cell.size())
    refuse(where + " has a value that is not a number (" + cell.substr(0, 40) + "): fix or remove it.");
  if (!std::isfinite(value))
    refuse(where + " is " + cell.substr(0, 40) + ", not a finite number: the model cannot use it; "
           "fix or remove the row.");
  if (sidecar.token_ids && (value != std::floor(value) || value < 0 || value >= sidecar.token_count))
    refuse(where + " is " + cell.substr(0, 40) + ", not a token id from 0 to " +
           std::to_string(sidecar.token_count - 1) + ": fix or remove the row.");
  return value;
}

}  // namespace

std::vector<double> read_samples(const std::string& path, const Sidecar& sidecar) {
  std::ifstream file(path, std::ios::binary);
  if (!file) refuse("There is no samples file at " + path + ": give a CSV of samples.");
  std::string line;
  std::getline(file, line);
  const auto columns = channel_columns(line, path, sidecar);
  const size_t width = split_csv_line(line).size();
  std::vector<double> values;  // (N, C)
  for (int64_t number = 2; std::getline(file, line); ++number) {
    if (line.empty() || line == "\r") continue;
    const auto cells = split_csv_line(line);
    const std::string row = "Row " + std::to_string(number) + " of " + path;
    if (cells.size() != width)
      refuse(row + " has " + std::to_string(cells.size()) + " value(s) for " +
             std::to_string(width) + " column(s): fix or remove it.");
    for (size_t c = 0; c < columns.size(); ++c)
      values.push_back(parse_value(cells[columns[c]], row + ", column " + sidecar.channels[c], sidecar));
  }
  return values;
}
