// Running the gatesim Python package from the command line (export, report): the interpreter
// is $GATESIM_PYTHON when set, else the first of Debian's /usr/bin/python3 and python3 on PATH
// that imports what the command needs, with the package this build assembled (<build>/python)
// first on its path.
#pragma once

#include <string>
#include <vector>

namespace gatesim::cli {

struct Child {
    int status = -1;
    std::string output;  // stderr and stdout, when captured
};

// Runs argv with `pythonpath` prepended to PYTHONPATH; captures output when asked. SIGINT goes to
// the child (same terminal), so the parent ignores it while waiting.
Child run_python(const std::vector<std::string>& argv, const std::string& pythonpath, bool capture);

// The exit code of a finished child (128 + signal when killed).
int exit_code(int status);

// <build>/python beside this executable's bin/, when it holds the package; else "".
std::string package_dir();

// The first interpreter that imports `modules` ("gatesim, numpy"); BadInput naming `needs` (what
// to install) and what each candidate lacked.
std::string find_python(const std::string& pythonpath, const std::string& modules, const std::string& needs);

// Runs `python -m gatesim.command <arguments>` with the interpreter find_python chose; its exit code.
int run_gatesim_command(const std::vector<std::string>& arguments, const std::string& modules, const std::string& needs);

}  // namespace gatesim::cli
