package main

import (
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/motcua/motcua/cmd/internal/loadgen"
)

// A registration body is the JSON of POST /api/v1/dossiers: the procedure,
// a channel that receives at once, a whole applicant and the papers.
func TestRegistrationBodyIsARegistration(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	p := loadgen.Procedure{Code: "2.000488"}
	channels := map[string]int{}
	for i := 0; i < 200; i++ {
		var got struct {
			ProcedureCode string `json:"procedure_code"`
			Channel       string `json:"channel"`
			Applicant     struct {
				Name     string `json:"name"`
				IDNumber string `json:"id_number"`
				Phone    string `json:"phone"`
				Address  string `json:"address"`
			} `json:"applicant"`
			Documents []struct {
				Name   string `json:"name"`
				Copies int    `json:"copies"`
			} `json:"documents"`
		}
		body := registrationBody(rng, p)
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		channels[got.Channel]++
		if got.ProcedureCode != p.Code || got.Applicant.Name == "" || len(got.Applicant.IDNumber) != 12 || got.Applicant.Phone == "" || got.Applicant.Address == "" || len(got.Documents) != 2 {
			t.Fatalf("body %s", body)
		}
	}
	if len(channels) != 2 || channels["direct"] == 0 || channels["postal"] == 0 {
		t.Errorf("channels %v, want direct and postal", channels)
	}
}
