"""The official `openai` and `anthropic` Python packages against an outlast gateway.

Run by test/python/python-sdks.test.ts: `python3 clients.py <gateway url> <key>`. Each check
calls one endpoint the way a Python user would and records what it saw; the result is one JSON
object on stdout, judged by the vitest file (so a wrong answer fails there, with the details).
"""
import json
import sys
import traceback

import anthropic
import openai

url, key = sys.argv[1], sys.argv[2]
oa = openai.OpenAI(base_url=f"{url}/v1", api_key=key, max_retries=0)
an = anthropic.Anthropic(base_url=url, api_key=key, max_retries=0)
weather = {
    "type": "function",
    "name": "get_weather",
    "description": "The weather in a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}
results = {}


def check(name):
    def wrap(fn):
        try:
            results[name] = {"ok": True, "value": fn()}
        except Exception as error:  # the vitest side says which check failed and why
            results[name] = {
                "ok": False,
                "type": type(error).__name__,
                "status": getattr(error, "status_code", None),
                "message": str(error),
                "trace": traceback.format_exc(limit=3),
            }
        return fn

    return wrap


@check("openai.chat")
def _():
    completion = oa.chat.completions.with_raw_response.create(
        model="there", messages=[{"role": "user", "content": "hello"}]
    )
    parsed = completion.parse()
    return {
        "text": parsed.choices[0].message.content,
        "finish": parsed.choices[0].finish_reason,
        "model_header": completion.headers.get("x-outlast-model"),
    }


@check("openai.chat_stream")
def _():
    text = ""
    usage = None
    for chunk in oa.chat.completions.create(
        model="back",
        messages=[{"role": "user", "content": "hello"}],
        stream=True,
        stream_options={"include_usage": True},
    ):
        if chunk.choices and chunk.choices[0].delta.content:
            text += chunk.choices[0].delta.content
        if chunk.usage:
            usage = chunk.usage.total_tokens
    return {"text": text, "usage": usage}


@check("openai.responses")
def _():
    response = oa.responses.create(model="back", input="hello", instructions="Be brief.")
    return {"text": response.output_text, "status": response.status, "id": response.id}


@check("openai.responses_tool")
def _():
    response = oa.responses.create(
        model="there", input="What is the weather in Paris?", tools=[weather], tool_choice="required"
    )
    call = next(item for item in response.output if item.type == "function_call")
    return {"name": call.name, "arguments": json.loads(call.arguments)}


@check("openai.responses_stream")
def _():
    types = []
    text = ""
    with oa.responses.stream(model="there", input="hello") as stream:
        for event in stream:
            types.append(event.type)
            if event.type == "response.output_text.delta":
                text += event.delta
        final = stream.get_final_response()
    return {"types": types, "text": text, "final_text": final.output_text}


@check("openai.responses_passthrough")
def _():
    # `direct` goes to a provider that is OpenAI's own Responses API: stored state works.
    first = oa.responses.create(model="direct", input="Remember the word teal.")
    second = oa.responses.create(model="direct", input="Which word?", previous_response_id=first.id)
    with oa.responses.stream(model="direct", input="And now?", previous_response_id=second.id) as stream:
        types = [event.type for event in stream]
        final = stream.get_final_response()
    refused = None
    try:
        oa.responses.create(model="there", input="x", previous_response_id=first.id)
    except openai.BadRequestError as error:
        refused = str(error)
    return {
        "first": first.id,
        "second_previous": second.previous_response_id,
        "stream_previous": final.previous_response_id,
        "stream_types": [types[0], types[-1]],
        "refused": refused,
    }


@check("openai.embeddings")
def _():
    embedded = oa.embeddings.create(model="embed", input=["one", "two"])
    return {"count": len(embedded.data), "dimensions": len(embedded.data[0].embedding)}


@check("openai.models")
def _():
    listed = [m.id for m in oa.models.list()]
    one = oa.models.retrieve("there")
    return {"listed": listed, "retrieved": one.id}


@check("openai.error")
def _():
    try:
        oa.chat.completions.create(model="dead", messages=[{"role": "user", "content": "hello"}])
    except openai.APIStatusError as error:
        return {"type": type(error).__name__, "status": error.status_code, "request_id": error.request_id}
    return {"type": None}


@check("anthropic.messages")
def _():
    message = an.messages.create(model="there", max_tokens=200, messages=[{"role": "user", "content": "hello"}])
    return {"text": message.content[0].text, "stop": message.stop_reason, "type": message.type}


@check("anthropic.stream")
def _():
    with an.messages.stream(model="back", max_tokens=200, messages=[{"role": "user", "content": "hello"}]) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    return {"text": text, "final_text": final.content[0].text, "stop": final.stop_reason}


@check("anthropic.count_tokens")
def _():
    counted = an.messages.count_tokens(model="back", messages=[{"role": "user", "content": "hello"}])
    return {"input_tokens": counted.input_tokens, "estimate": getattr(counted, "outlast_estimate", None)}


@check("anthropic.error")
def _():
    try:
        an.messages.create(model="dead", max_tokens=50, messages=[{"role": "user", "content": "hello"}])
    except anthropic.APIStatusError as error:
        return {"type": type(error).__name__, "status": error.status_code, "request_id": error.request_id}
    return {"type": None}


print(json.dumps(results))
