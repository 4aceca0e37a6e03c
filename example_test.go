package teapot_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/teapothq/teapot"
)

// Example serves teapot in a test, as another project would, and asks it
// for a real 429 and for the reference of 409.
func Example() {
	h := teapot.New(teapot.Options{})
	defer h.Close()
	srv := httptest.NewServer(h)
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/status/429?retry_after=7")
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("Retry-After"))

	resp, err = http.Get(srv.URL + "/api/codes/409")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var code struct {
		Code  int    `json:"code"`
		Title string `json:"title"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&code); err != nil {
		panic(err)
	}
	fmt.Println(code.Code, code.Title)
	// Output:
	// 429 7
	// 409 Conflict
}
