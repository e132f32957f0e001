// The portal's route table: every route of both listeners with its handler, its guard (the fault
// injector on the API, the admin token on ops), what it answers when all goes well, and a line on
// what it does. A handler lives in the file of its area (api.cpp, admin.cpp), and its test in
// tests/<area>_test.cpp; tests/routes_test.cpp checks that the listeners serve this table and
// nothing else.
#include "portal/portal.hpp"

namespace portal {

const std::vector<Portal::Route>& Portal::table() {
  static const std::vector<Route> kRoutes{
      // api.cpp, on the API listener; the fault routes (--fault-routes) are these paths
      {Guard::faults, "GET", "/", &Portal::get_index, 200,
       "what the portal is and its current fault state, HTML"},
      {Guard::faults, "GET", "/api/items", &Portal::get_items, 200, "the catalogue"},
      {Guard::faults, "GET", "/api/items/{id}", &Portal::get_item, 200,
       "one catalogue item (404 for an unknown id)"},
      {Guard::faults, "POST", "/api/orders", &Portal::post_order, 201,
       "acknowledges an order of a catalogue item, stores nothing"},
      {Guard::faults, "GET", "/api/work", &Portal::get_work, 200,
       "burns ?ms=N of CPU time, at most --work-cap-ms"},
      // admin.cpp, on the ops listener
      {Guard::admin_token, "GET", "/admin/faults", &Portal::get_faults, 200, "the fault state"},
      {Guard::admin_token, "PUT", "/admin/faults", &Portal::put_faults, 200,
       "changes the fields of the fault state it names, kept in --fault-file"},
      {Guard::admin_token, "DELETE", "/admin/faults", &Portal::delete_faults, 200,
       "heals: no faults, ready and healthy"},
      {Guard::admin_token, "POST", "/admin/crash", &Portal::crash_request, 202,
       "answers 202, then exits 3"},
  };
  return kRoutes;
}

std::vector<RouteInfo> Portal::routes() {
  std::vector<RouteInfo> out;
  for (const Route& r : table()) {
    const bool api = r.guard == Guard::faults;
    out.push_back({api ? "api" : "ops", r.method, r.path, api ? "faults" : "admin token",
                   r.success_code, r.description});
  }
  return out;
}

void Portal::register_routes() {
  for (const Route& r : table()) {
    const Handler handler = r.handler;
    if (r.guard == Guard::faults) {
      const std::size_t index = *api_route_index(r.path);
      service_.api().route(
          r.method, r.path,
          [this, index, handler](const Request& req, Response& res) {
            if (!inject_faults(index, req, res)) (this->*handler)(req, res);
          },
          r.success_code);
    } else {
      service_.ops().route(
          r.method, r.path,
          [this, handler](const Request& req, Response& res) {
            if (authorized(req, res)) (this->*handler)(req, res);
          },
          r.success_code);
    }
  }
}

}  // namespace portal
