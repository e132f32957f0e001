// GET /api/v1/incidents/export and /api/v1/alerts/export (rows of routes.cpp's table;
// tests/export_api_test.cpp): every incident or occurrence that the filters of /api/v1/alerts
// select, newest first, streamed as NDJSON or CSV (export_rows.hpp) in pages read one at a
// time, so that memory stays flat and no read transaction stays open while a client reads.
//
// Errors: bad parameters get 400, a store that cannot read 503, both before any byte of the
// export; a failure after the first page (the store, or the client too slow for
// --request-timeout, which bounds the whole response) aborts the chunked stream without its
// last chunk, so the client sees a broken transfer (curl exits 18), never a file that looks
// complete. At most kMaxExports run at once; another gets 429.
#include <atomic>
#include <memory>
#include <stdexcept>

#include "export_rows.hpp"
#include "firedrill/log.hpp"
#include "firedrill/text.hpp"
#include "mock_slack/incident_events.hpp"
#include "mock_slack/receiver.hpp"

namespace mock_slack {

using firedrill::cut;
using firedrill::http::error_response;

namespace {

constexpr std::size_t kExportPage = 500;  ///< rows read per page (and per chunk)
constexpr int kMaxExports = 2;            ///< at once, over both routes: one per core

std::atomic<int> g_exports{0};

enum class Format { ndjson, csv };

struct ExportParams {
  AlertFilter filter;
  Format format = Format::ndjson;
};

ExportParams parse_export(const firedrill::http::Request& req, TimePoint now) {
  for (const char* p : {"limit", "cursor"}) {
    if (req.query(p)) {
      throw std::invalid_argument(std::string(p) +
                                  ": not a parameter of an export, which streams every match");
    }
  }
  ExportParams e;
  e.filter = parse_alert_filter(req, now);
  e.filter.limit = kExportPage;
  if (auto f = req.query("format")) {
    if (*f == "csv") {
      e.format = Format::csv;
    } else if (*f != "ndjson") {
      throw std::invalid_argument("format: expected \"ndjson\" or \"csv\", got \"" + cut(*f) +
                                  "\"");
    }
  }
  return e;
}

/// A slot of the kMaxExports, held for as long as its stream lives.
class Slot {
 public:
  Slot() : held_(g_exports.fetch_add(1) < kMaxExports) {
    if (!held_) g_exports.fetch_sub(1);
  }
  ~Slot() {
    if (held_) g_exports.fetch_sub(1);
  }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;
  bool held() const { return held_; }

 private:
  bool held_;
};

/// What a stream keeps between chunks: the next page to write and where the one after starts.
template <typename T>
struct Stream {
  std::unique_ptr<Slot> slot;
  AlertFilter filter;
  Format format = Format::ndjson;
  Page<T> page;
  bool header_written = false;
  std::string route;
};

std::string format_incidents(const Store& store, const Page<Incident>& page, Format format) {
  std::vector<std::int64_t> ids;
  ids.reserve(page.items.size());
  for (const auto& i : page.items) ids.push_back(i.id);
  const auto events = incident_events_of(store, ids);
  static const std::vector<IncidentEvent> kNone;
  std::string out;
  for (const auto& i : page.items) {
    auto it = events.find(i.id);
    const auto& list = it != events.end() ? it->second : kNone;
    if (format == Format::csv) {
      export_rows::incident_csv(out, i, list);
    } else {
      export_rows::incident_ndjson(out, i, list);
    }
  }
  return out;
}

std::string format_alerts(const Store&, const Page<Occurrence>& page, Format format) {
  std::string out;
  for (const auto& o : page.items) {
    if (format == Format::csv) {
      export_rows::alert_csv(out, o);
    } else {
      export_rows::alert_ndjson(out, o);
    }
  }
  return out;
}

/// Answers an export: parameters and the first page in the handler (400 or 503 before any
/// byte), then the rest page by page from the chunked content provider.
template <typename T, typename Read, typename Format_>
void stream_export(const firedrill::http::Request& req, httplib::Response& res, Store& store,
                   const char* name, const std::string& csv_header, Read read,
                   Format_ format_page) {
  auto s = std::make_shared<Stream<T>>();
  s->route = std::string(req.route);
  try {
    ExportParams p = parse_export(req, store.now());
    s->filter = std::move(p.filter);
    s->format = p.format;
  } catch (const std::invalid_argument& e) {
    error_response(res, 400, e.what());
    return;
  }
  s->slot = std::make_unique<Slot>();
  if (!s->slot->held()) {
    res.set_header("Retry-After", "1");
    error_response(res, 429,
                   "too many exports at once (" + std::to_string(kMaxExports) +
                       "); retry when one has finished");
    return;
  }
  try {
    s->page = read(store, s->filter);
  } catch (const StoreUnavailable& e) {
    error_response(res, 503, e.what());
    return;
  }
  const bool csv = s->format == Format::csv;
  res.status = 200;
  res.set_header("Content-Disposition",
                 std::string("attachment; filename=\"") + name + (csv ? ".csv\"" : ".ndjson\""));
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_chunked_content_provider(
      csv ? "text/csv; charset=utf-8; header=present" : "application/x-ndjson",
      [s, &store, csv_header, read, format_page](std::size_t, httplib::DataSink& sink) {
        // Nothing may escape: the provider runs after the kit's handler has returned.
        try {
          std::string chunk;
          if (!s->header_written && s->format == Format::csv) chunk = csv_header;
          s->header_written = true;
          chunk += format_page(store, s->page, s->format);
          // An empty write would end cpp-httplib's stream as if done: write only data.
          if (!chunk.empty() && !sink.write(chunk.data(), chunk.size())) return false;
          if (!s->page.next) {
            sink.done();
            return true;
          }
          s->filter.cursor = s->page.next;
          s->page = read(store, s->filter);
          return true;
        } catch (const std::exception& e) {
          firedrill::log::error("export aborted", {{"route", s->route}, {"error", e.what()}});
          return false;  // the chunked stream ends without its last chunk: a broken transfer
        }
      });
}

}  // namespace

void Receiver::export_incidents(const Request& req, Response& res) {
  stream_export<Incident>(
      req, res, store_, "incidents", export_rows::incident_csv_header(),
      [](const Store& st, const AlertFilter& f) { return st.incidents(f); }, format_incidents);
}

void Receiver::export_alerts(const Request& req, Response& res) {
  stream_export<Occurrence>(
      req, res, store_, "alerts", export_rows::alert_csv_header(),
      [](const Store& st, const AlertFilter& f) { return st.alerts(f); }, format_alerts);
}

}  // namespace mock_slack
