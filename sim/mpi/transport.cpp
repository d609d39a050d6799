// Tags, polled receiving and non-blocking sending between ranks (transport.hpp).
#include "mpi/transport.hpp"

#include <algorithm>
#include <climits>
#include <cstring>
#include <memory>
#include <thread>

namespace gatesim::mpi {

void check(int code, const char* call) {
    if (code == MPI_SUCCESS) return;
    char text[MPI_MAX_ERROR_STRING];
    int length = 0;
    MPI_Error_string(code, text, &length);
    throw MpiError(std::string(call) + " failed: " + std::string(text, static_cast<std::size_t>(length)));
}

std::optional<Message> receive(int source, const std::function<bool()>& stopping) {
    int arrived = 0;
    MPI_Status status;
    check(MPI_Iprobe(source, MPI_ANY_TAG, MPI_COMM_WORLD, &arrived, &status), "MPI_Iprobe");
    if (!arrived) return std::nullopt;
    int count = 0;
    check(MPI_Get_count(&status, MPI_BYTE, &count), "MPI_Get_count");
    // On the heap: an abandoned receive may still write into it, so it is then never freed.
    auto m = std::make_unique<Message>();
    m->source = status.MPI_SOURCE;
    m->tag = static_cast<Tag>(status.MPI_TAG);
    m->bytes.resize(static_cast<std::size_t>(count));
    MPI_Request request = MPI_REQUEST_NULL;
    check(MPI_Irecv(m->bytes.data(), count, MPI_BYTE, status.MPI_SOURCE, status.MPI_TAG, MPI_COMM_WORLD, &request),
          "MPI_Irecv");
    std::optional<std::chrono::steady_clock::time_point> stopped_at;
    for (Backoff backoff;;) {
        int done = 0;
        check(MPI_Test(&request, &done, MPI_STATUS_IGNORE), "MPI_Test");
        if (done) return std::move(*m);
        if (stopping && stopping()) {
            const auto now = std::chrono::steady_clock::now();
            if (!stopped_at) stopped_at = now;
            if (now - *stopped_at > std::chrono::seconds(1)) {
                const int lost = m->source;
                static_cast<void>(m.release());  // the pending receive owns the buffer now
                throw LostRank(lost, "rank " + std::to_string(lost) + " stopped in the middle of a message");
            }
        }
        backoff.idle();
    }
}

std::string number_bytes(std::uint64_t v) { return std::string(reinterpret_cast<const char*>(&v), sizeof v); }

std::uint64_t bytes_number(const std::string& bytes) {
    std::uint64_t v = 0;
    if (bytes.size() != sizeof v) throw MpiError("a malformed message between ranks");
    std::memcpy(&v, bytes.data(), sizeof v);
    return v;
}

Outbox::~Outbox() {
    for (auto& p : pending_) MPI_Request_free(&p.request);
}

void Outbox::send(int rank, Tag tag, std::shared_ptr<const std::string> bytes) {
    if (bytes->size() > static_cast<std::size_t>(INT_MAX))
        throw MpiError("a message of " + std::to_string(bytes->size()) + " bytes is more than one MPI message carries");
    Pending& p = pending_.emplace_back(Pending{MPI_REQUEST_NULL, std::move(bytes)});
    const int code = MPI_Isend(p.bytes->data(), static_cast<int>(p.bytes->size()), MPI_BYTE, rank,
                               static_cast<int>(tag), MPI_COMM_WORLD, &p.request);
    if (code != MPI_SUCCESS) pending_.pop_back();
    check(code, "MPI_Isend");
}

bool Outbox::progress() {
    for (auto it = pending_.begin(); it != pending_.end();) {
        int done = 0;
        check(MPI_Test(&it->request, &done, MPI_STATUS_IGNORE), "MPI_Test");
        it = done ? pending_.erase(it) : std::next(it);
    }
    return pending_.empty();
}

void Backoff::idle() {
    std::this_thread::sleep_for(wait_);
    wait_ = std::min(wait_ * 2, std::chrono::microseconds(2000));
}

}  // namespace gatesim::mpi
