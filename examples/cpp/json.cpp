// A recursive-descent JSON reader with a depth limit; strings decode \uXXXX (and surrogate
// pairs) to UTF-8.
#include "json.h"

#include <cstdint>
#include <stdexcept>

namespace {

constexpr int kMaxDepth = 64;

class Reader {
 public:
  explicit Reader(const std::string& text) : text_(text) {}

  Json document() {
    Json value = parse(0);
    skip_space();
    if (pos_ != text_.size()) fail("text after the value");
    return value;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error(what + " at byte " + std::to_string(pos_));
  }
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' ||
                                   text_[pos_] == '\r' || text_[pos_] == '\t'))
      ++pos_;
  }
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++pos_;
  }
  bool literal(const std::string& word) {
    if (text_.compare(pos_, word.size(), word) != 0) return false;
    pos_ += word.size();
    return true;
  }

  Json parse(int depth) {
    if (depth > kMaxDepth) fail("nesting deeper than 64");
    skip_space();
    Json value;
    const char c = peek();
    if (c == '{') return object(depth);
    if (c == '[') return array(depth);
    if (c == '"') value.kind = Json::Kind::String, value.text = string();
    else if (c == '-' || (c >= '0' && c <= '9')) value.kind = Json::Kind::Number, value.text = number();
    else if (literal("true")) value.kind = Json::Kind::Bool, value.text = "true";
    else if (literal("false")) value.kind = Json::Kind::Bool, value.text = "false";
    else if (!literal("null")) fail("not a JSON value");
    return value;
  }

  Json object(int depth) {
    Json value;
    value.kind = Json::Kind::Object;
    expect('{');
    skip_space();
    if (peek() == '}') return ++pos_, value;
    while (true) {
      skip_space();
      std::string key = string();
      skip_space();
      expect(':');
      value.members.emplace_back(std::move(key), parse(depth + 1));
      skip_space();
      if (peek() == '}') return ++pos_, value;
      expect(',');
    }
  }

  Json array(int depth) {
    Json value;
    value.kind = Json::Kind::Array;
    expect('[');
    skip_space();
    if (peek() == ']') return ++pos_, value;
    while (true) {
      value.items.push_back(parse(depth + 1));
      skip_space();
      if (peek() == ']') return ++pos_, value;
      expect(',');
    }
  }

  std::string number() {
    const size_t start = pos_;
    auto digits = [&] {
      const size_t from = pos_;
      while (peek() >= '0' && peek() <= '9') ++pos_;
      if (pos_ == from) fail("a number without digits");
    };
    if (peek() == '-') ++pos_;
    digits();
    if (peek() == '.') ++pos_, digits();
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      if (peek() == '+' || peek() == '-') ++pos_;
      digits();
    }
    return text_.substr(start, pos_ - start);
  }

  uint32_t hex4() {
    uint32_t code = 0;
    for (int i = 0; i < 4; ++i, ++pos_) {
      const char c = peek();
      const int digit = (c >= '0' && c <= '9')   ? c - '0'
                        : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                        : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                                 : -1;
      if (digit < 0) fail("a \\u escape without four hex digits");
      code = code * 16 + static_cast<uint32_t>(digit);
    }
    return code;
  }

  static void append_utf8(std::string& out, uint32_t code) {
    if (code < 0x80) {
      out += static_cast<char>(code);
    } else if (code < 0x800) {
      out += static_cast<char>(0xC0 | (code >> 6));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
      out += static_cast<char>(0xE0 | (code >> 12));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (code >> 18));
      out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    }
  }

  std::string string() {
    expect('"');
    std::string out;
    while (true) {
      if (pos_ >= text_.size()) fail("a string without its closing quote");
      const char c = text_[pos_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail("a control character inside a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      const char e = peek();
      ++pos_;
      if (e == 'u') {
        uint32_t code = hex4();
        if (code >= 0xD800 && code < 0xDC00 && literal("\\u")) {  // a surrogate pair
          const uint32_t low = hex4();
          if (low < 0xDC00 || low > 0xDFFF) fail("a broken surrogate pair");
          code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
        }
        append_utf8(out, code);
      } else {
        const std::string from = "\"\\/bfnrt", to = "\"\\/\b\f\n\r\t";
        const size_t which = from.find(e);
        if (which == std::string::npos || e == '\0') fail("an unknown escape");
        out += to[which];
      }
    }
  }

  const std::string& text_;
  size_t pos_ = 0;
};

}  // namespace

const Json* Json::find(const std::string& key) const {
  for (const auto& [name, value] : members)
    if (name == key) return &value;
  return nullptr;
}

Json parse_json(const std::string& text) { return Reader(text).document(); }
