"""The example app of the README: ``python -m microflask --app examples/hello.py run``."""

from microflask import Flask, abort, jsonify, redirect, request, url_for

app = Flask(__name__)


@app.route("/")
def index():
    return (
        "<h1>Hello from microflask!</h1>"
        f'<p>Try <a href="{url_for("hello", name="world")}">{url_for("hello", name="world")}</a>,'
        f' <a href="{url_for("api_square", number=12)}">the JSON API</a>'
        f' or <a href="{url_for("search", q="wsgi")}">a query string</a>.</p>'
    )


@app.get("/hello/<name>")
def hello(name):
    return f"Hello, {name}!"


@app.get("/api/square/<int:number>")
def api_square(number):
    return jsonify(number=number, square=number * number)


@app.get("/search")
def search():
    query = request.args.get("q", "")
    if not query:
        return redirect(url_for("index"))
    return {"query": query, "results": []}


@app.post("/echo")
def echo():
    data = request.get_json()
    if not isinstance(data, dict):
        abort(400, description="Send a JSON object.")
    return data, 201


if __name__ == "__main__":
    app.run(debug=True)
