// A small JSON reader for model.json (RFC 8259), so the example needs no JSON library. Numbers are
// kept as the text the file wrote: the caller parses them with its own bounds and overflow checks.
#pragma once

#include <string>
#include <utility>
#include <vector>

struct Json {
  enum class Kind { Null, Bool, Number, String, Array, Object };
  Kind kind = Kind::Null;
  std::string text;                                   // a string's value, a number as written
  std::vector<Json> items;                            // an array's values
  std::vector<std::pair<std::string, Json>> members;  // an object's members, in file order

  // The member named `key` of an object, or nullptr (also when this is not an object).
  const Json* find(const std::string& key) const;
};

// The value in `text`; throws std::runtime_error naming the byte where it stops being JSON.
// Nesting deeper than 64 levels is refused (a hostile file cannot exhaust the stack).
Json parse_json(const std::string& text);
