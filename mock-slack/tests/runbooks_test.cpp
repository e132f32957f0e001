#include <fstream>

#include "helpers.hpp"

using namespace mock_slack;
using namespace mock_slack::testing;

TEST_CASE("runbooks are served as Markdown by alert name", "[runbooks]") {
  TempDir books;
  {
    std::ofstream(books.path() / "PortalHighErrorRate.md") << "# PortalHighErrorRate\n## Meaning\n";
    std::ofstream(books.path() / "secret.txt") << "not a runbook";
  }
  ReceiverOptions o;
  o.runbooks_dir = books.path();
  Running r(o);
  auto c = r.client();
  auto res = c.Get("/runbooks/PortalHighErrorRate");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->get_header_value("Content-Type") == "text/markdown; charset=utf-8");
  CHECK(res->body == "# PortalHighErrorRate\n## Meaning\n");
  CHECK(c.Get("/runbooks/Missing")->status == 404);
  CHECK(json::parse(c.Get("/runbooks/Missing")->body)["error"] == "no runbook named \"Missing\"");
  CHECK(c.Get("/runbooks/secret.txt")->status == 404);
  CHECK(c.Get("/runbooks/..%2Fsecret")->status == 404);
  CHECK(c.Get("/runbooks/../secret.txt")->status == 404);
}
