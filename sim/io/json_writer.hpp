// A small streaming JSON writer: the CLI's --format json output and the scenario JSON Schema.
// Keys and strings are escaped; NaN and infinities are written as null (JSON has neither).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace gatesim {

class JsonWriter {
public:
    // indent 0 writes one line; otherwise nested values go on their own lines.
    explicit JsonWriter(std::ostream& out, int indent = 2) : out_(out), indent_(indent) {}

    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    JsonWriter& key(std::string_view name);  // inside an object, before each value
    JsonWriter& value(std::string_view text);
    JsonWriter& value(const char* text) { return value(std::string_view(text)); }
    JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }
    JsonWriter& value(double number);
    JsonWriter& value(std::int64_t number);
    JsonWriter& value(std::uint64_t number);
    JsonWriter& value(int number) { return value(static_cast<std::int64_t>(number)); }
    JsonWriter& value(bool flag);
    JsonWriter& null();
    JsonWriter& strings(const std::vector<std::string>& items);  // an array of strings
    template <class T>
    JsonWriter& field(std::string_view name, const T& v) {
        return key(name).value(v);
    }

private:
    void before_value();
    void newline();
    void close(char bracket);

    struct Level {
        bool object;
        bool empty = true;
    };
    std::ostream& out_;
    int indent_;
    std::vector<Level> levels_;
    bool after_key_ = false;
};

std::string json_quoted(std::string_view text);

}  // namespace gatesim
