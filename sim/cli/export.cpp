// `gatesim export FILE --format csv|json|xlsx`: a results or study file as tables for
// spreadsheets and other tools.
//
// It runs the Python package's export (python -m gatesim.command export), so the CLI and
// Python write the same tables (the tidy series with units, summaries, deltas, the workbook's
// sheets) from one implementation, tested once; Excel needs Python's openpyxl anyway. The
// interpreter is $GATESIM_PYTHON when set, else the first of Debian's /usr/bin/python3 and
// python3 on PATH that imports gatesim, numpy and pandas (and openpyxl for xlsx), with the
// package this build assembled (<build>/python) first on its path.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "cli/common.hpp"

namespace gatesim::cli {
namespace {

namespace fs = std::filesystem;

struct Child {
    int status = -1;
    std::string output;  // stderr and stdout, when captured
};

// Runs argv with `pythonpath` prepended to PYTHONPATH; captures output when asked. SIGINT goes to
// the child (same terminal), so the parent ignores it while waiting.
Child run_python(const std::vector<std::string>& argv, const std::string& pythonpath, bool capture) {
    int pipe_fds[2] = {-1, -1};
    if (capture && pipe(pipe_fds) != 0) return {};
    const pid_t pid = fork();
    if (pid < 0) return {};
    if (pid == 0) {
        if (capture) {
            dup2(pipe_fds[1], STDOUT_FILENO);
            dup2(pipe_fds[1], STDERR_FILENO);
            close(pipe_fds[0]);
            close(pipe_fds[1]);
        }
        if (!pythonpath.empty()) {
            const char* old = std::getenv("PYTHONPATH");
            const std::string joined = pythonpath + (old && *old ? std::string(":") + old : "");
            setenv("PYTHONPATH", joined.c_str(), 1);
        }
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execvp(args[0], args.data());
        _exit(127);
    }
    Child child;
    auto* previous = std::signal(SIGINT, SIG_IGN);
    if (capture) {
        close(pipe_fds[1]);
        char buffer[4096];
        for (ssize_t n; (n = read(pipe_fds[0], buffer, sizeof buffer)) > 0;) child.output.append(buffer, static_cast<std::size_t>(n));
        close(pipe_fds[0]);
    }
    waitpid(pid, &child.status, 0);
    std::signal(SIGINT, previous);
    return child;
}

int exit_code(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return exit_internal;
}

// <build>/python beside this executable's bin/, when it holds the package.
std::string package_dir() {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec) return "";
    const fs::path dir = exe.parent_path().parent_path() / "python";
    return fs::exists(dir / "gatesim" / "__init__.py", ec) ? dir.string() : "";
}

std::string last_line(const std::string& text) {
    std::string t = text;
    while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
    const auto nl = t.rfind('\n');
    return nl == std::string::npos ? t : t.substr(nl + 1);
}

// The first interpreter that has what the export needs; BadInput listing what each lacked.
std::string find_python(const std::string& pythonpath, bool excel) {
    std::vector<std::string> candidates{"/usr/bin/python3", "python3"};
    if (const char* chosen = std::getenv("GATESIM_PYTHON"); chosen && *chosen) candidates = {chosen};  // no fallback
    const std::string probe = std::string("import gatesim, numpy, pandas") + (excel ? ", openpyxl" : "");
    std::string tried;
    for (const auto& python : candidates) {
        const Child c = run_python({python, "-c", probe}, pythonpath, true);
        if (c.status >= 0 && exit_code(c.status) == 0) return python;
        const std::string why = exit_code(c.status) == 127 ? "not found" : last_line(c.output);
        tried += "\n  " + python + ": " + why;
    }
    throw BadInput("export needs a Python 3 with the gatesim package, numpy and pandas" +
                   std::string(excel ? " and openpyxl" : "") + " (Debian: python3-numpy, python3-pandas" +
                   (excel ? ", python3-openpyxl" : "") + "); set GATESIM_PYTHON to one. Tried:" + tried);
}

class ExportCommand : public Command {
public:
    explicit ExportCommand(CLI::App& app)
        : Command(app.add_subcommand("export", "Write a results or study file as CSV, JSON or an Excel workbook")) {
        app_->footer("Examples:\n"
                     "  gatesim export out.h5 --format csv          # out.csv (series), out-summary.csv, ...\n"
                     "  gatesim export cmp.h5 --format xlsx -o briefing.xlsx\n"
                     "  gatesim export ens.h5 --format json\n"
                     "Runs the gatesim Python package (Debian's python3; GATESIM_PYTHON chooses another).");
        app_->add_option("file", file_, "A file written by gatesim (run, compare, sweep, sensitivity)")->required();
        app_->add_option("--format", format_, "csv, json or xlsx (default: from -o's suffix, else csv)")
            ->check(CLI::IsMember({"csv", "json", "xlsx"}));
        app_->add_option("-o,--output", output_, "File to write (default: FILE with the format's suffix)");
        app_->add_flag("--no-series", no_series_, "Only the summary tables, without the daily series");
    }

    int execute(const Invocation&) override {
        std::string format = format_;
        if (format.empty() && !output_.empty()) {
            const std::string suffix = fs::path(output_).extension().string();
            if (!suffix.empty()) format = suffix.substr(1);
        }
        if (format.empty()) format = "csv";
        if (format != "csv" && format != "json" && format != "xlsx")
            throw BadInput("--format: say csv, json or xlsx (the suffix of " + output_ + " names none of them)");
        const std::string output = output_.empty() ? fs::path(file_).replace_extension(format).string() : output_;
        const std::string pythonpath = package_dir();
        const std::string python = find_python(pythonpath, format == "xlsx");
        std::vector<std::string> argv{python, "-m", "gatesim.command", "export", file_, "--format", format, "-o", output};
        if (no_series_) argv.push_back("--no-series");
        const Child c = run_python(argv, pythonpath, false);
        if (c.status < 0) throw std::runtime_error("cannot start " + python);
        return exit_code(c.status);
    }

private:
    std::string file_, format_, output_;
    bool no_series_ = false;
};

}  // namespace

std::unique_ptr<Command> add_export(CLI::App& app) { return std::make_unique<ExportCommand>(app); }

}  // namespace gatesim::cli
