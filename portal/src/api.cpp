// The portal's API (tests/api_test.cpp): a small catalogue and order service so that per-route
// SLIs mean something. Its routes are rows of routes.cpp's table; every one passes through
// inject_faults() before its handler runs.
#include "portal/api.hpp"

#include <time.h>

#include <algorithm>

#include "firedrill/text.hpp"
#include "portal/portal.hpp"

namespace portal {

namespace {

using firedrill::http::error_response;
using firedrill::http::html_escape;
using firedrill::http::json_response;
using nlohmann::json;

json item_json(const Item& item) {
  return json{{"id", item.id}, {"name", item.name}, {"price_cents", item.price_cents}};
}

/// Response bodies that never change are rendered once, so a request costs a copy.
struct RenderedCatalogue {
  std::string list;
  std::vector<std::string> items;  // index id - 1
};

const RenderedCatalogue& rendered() {
  static const RenderedCatalogue r = [] {
    RenderedCatalogue out;
    json list = json::array();
    for (const auto& item : catalogue()) {
      list.push_back(item_json(item));
      out.items.push_back(item_json(item).dump() + "\n");
    }
    out.list = json{{"items", list}, {"count", list.size()}}.dump() + "\n";
    return out;
  }();
  return r;
}

std::chrono::nanoseconds thread_cpu_time() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return std::chrono::seconds{ts.tv_sec} + std::chrono::nanoseconds{ts.tv_nsec};
}

}  // namespace

const std::vector<Item>& catalogue() {
  static const std::vector<Item> items = [] {
    static constexpr const char* names[kCatalogueSize] = {
        "pager",           "runbook binder", "coffee mug",   "headset",        "status lamp",
        "war-room banner", "rubber duck",    "spare laptop", "on-call phone",  "escalation card",
        "dashboard wall",  "incident bell",  "post-it pad",  "whiteboard pen", "timeline ledger",
        "retro cards",     "chaos monkey",   "canary cage",  "rollback lever", "pizza voucher"};
    std::vector<Item> out;
    out.reserve(kCatalogueSize);
    for (int i = 0; i < kCatalogueSize; ++i) {
      out.push_back(Item{i + 1, names[i], 500 + 250 * i});
    }
    return out;
  }();
  return items;
}

std::uint64_t burn_cpu(std::chrono::milliseconds cpu_time) {
  const auto until = thread_cpu_time() + cpu_time;
  std::uint64_t x = 0x9e3779b97f4a7c15ULL;
  do {
    for (int i = 0; i < 4096; ++i) {  // xorshift: cheap work the compiler cannot drop
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
    }
  } while (thread_cpu_time() < until);
  return x;
}

std::string index_page(const FaultState& state) {
  std::string faults;
  if (!state.injects() && state.ready && state.healthy && state.crash_after_ms == 0) {
    faults = "<p>No faults are injected: the portal is healthy.</p>";
  } else {
    faults = "<p>Faults are injected:</p>";
  }
  return "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Firedrill portal</title>"
         "</head>\n<body>\n<h1>Firedrill portal</h1>\n"
         "<p>A small API that fails on command, for practising alerting drills. "
         "Routes: <code>/api/items</code>, <code>/api/items/{id}</code>, "
         "<code>POST /api/orders</code>, <code>/api/work?ms=N</code>.</p>\n" +
         faults + "\n<pre id=\"faults\">" + html_escape(to_json(state).dump(2)) +
         "</pre>\n</body></html>\n";
}

bool Portal::inject_faults(std::size_t route, const Request&, Response& res) {
  const FaultDecision d = faults_.decide(route);
  if (d.delay.count() > 0) sleeper_.sleep_for(d.delay);
  if (d.error_code == 0) return false;
  // Answered here, so the kit counts it in http_requests_total under the code actually returned.
  res.set_header("X-Fault-Injected", "error");
  error_response(res, d.error_code, "injected fault");
  return true;
}

void Portal::get_index(const Request&, Response& res) {
  res.status = 200;
  res.set_content(index_page(faults_.state()), "text/html; charset=utf-8");
}

void Portal::get_items(const Request&, Response& res) {
  res.status = 200;
  res.set_content(rendered().list, "application/json");
}

void Portal::get_item(const Request& req, Response& res) {
  const std::string& id = req.params.at(0);
  auto n = firedrill::parse_decimal<int>(id);
  if (!n || *n < 1 || *n > kCatalogueSize) {
    return error_response(res, 404, "no item with id " + id);
  }
  res.status = 200;
  res.set_content(rendered().items[static_cast<std::size_t>(*n - 1)], "application/json");
}

void Portal::post_order(const Request& req, Response& res) {
  auto body = json::parse(req.body(), nullptr, false);
  if (body.is_discarded()) return error_response(res, 400, "body: not valid JSON");
  if (!body.is_object()) {
    return error_response(res, 400, "body: expected an object with item_id and quantity");
  }
  for (const auto& [key, value] : body.items()) {
    if (key != "item_id" && key != "quantity") {
      return error_response(res, 400, key + ": unknown field; expected item_id and quantity");
    }
  }
  const auto item_id = body.find("item_id");
  if (item_id == body.end()) return error_response(res, 400, "item_id: required");
  if (!item_id->is_number_integer() || item_id->get<std::int64_t>() < 1 ||
      item_id->get<std::int64_t>() > kCatalogueSize) {
    return error_response(res, 400,
                          "item_id: expected the id of a catalogue item (1 to " +
                              std::to_string(kCatalogueSize) + ")");
  }
  const auto quantity = body.find("quantity");
  if (quantity == body.end()) return error_response(res, 400, "quantity: required");
  if (!quantity->is_number_integer() || quantity->get<std::int64_t>() < 1 ||
      quantity->get<std::int64_t>() > kMaxOrderQuantity) {
    return error_response(
        res, 400,
        "quantity: expected a whole number from 1 to " + std::to_string(kMaxOrderQuantity));
  }
  const Item& item = catalogue()[static_cast<std::size_t>(item_id->get<int>() - 1)];
  const int count = quantity->get<int>();
  // Orders are acknowledged, not stored: the portal must not grow under sustained load.
  json_response(res, 201,
                {{"order_id", next_order_id_.fetch_add(1) + 1},
                 {"item_id", item.id},
                 {"quantity", count},
                 {"total_cents", static_cast<std::int64_t>(item.price_cents) * count}});
}

void Portal::get_work(const Request& req, Response& res) {
  std::int64_t requested_ms = 10;
  if (auto text = req.query("ms")) {
    const auto v = firedrill::parse_decimal<std::int64_t>(*text);
    if (!v) return error_response(res, 400, "ms: expected a whole number of milliseconds");
    requested_ms = *v;
  }
  const std::int64_t work_ms = std::min<std::int64_t>(requested_ms, config_.api.work_cap.count());
  const std::uint64_t checksum = burn_cpu(std::chrono::milliseconds{work_ms});
  json_response(res, 200,
                {{"requested_ms", requested_ms},
                 {"work_ms", work_ms},
                 {"capped", work_ms < requested_ms},
                 {"checksum", checksum}});
}

}  // namespace portal
