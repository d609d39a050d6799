// `gatesim schema`: prints the JSON Schema of scenario files (sim/io/scenario_schema), for
// editors that complete and check YAML as it is typed.
#include <iostream>

#include "cli/common.hpp"
#include "io/scenario_schema.hpp"

namespace gatesim::cli {
namespace {

class SchemaCommand : public Command {
public:
    explicit SchemaCommand(CLI::App& app)
        : Command(app.add_subcommand("schema", "Print the JSON Schema of scenario files (for editors)")) {
        app_->footer("Examples:\n"
                     "  gatesim schema > gatesim.schema.json\n"
                     "  # then, first line of a scenario file, for editors with a YAML language server:\n"
                     "  # yaml-language-server: $schema=gatesim.schema.json");
    }

    int execute(const Invocation&) override {
        std::cout << scenario_json_schema();
        std::cout.flush();
        if (!std::cout) throw BadInput("cannot write the schema to stdout");
        return exit_ok;
    }
};

}  // namespace

std::unique_ptr<Command> add_schema(CLI::App& app) { return std::make_unique<SchemaCommand>(app); }

}  // namespace gatesim::cli
