package api

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/audit"
	"github.com/motcua/motcua/domain/user"
)

type userHandler struct {
	svc UserService
	env
}

type userDTO struct {
	Username  string    `json:"username"`
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	Unit      *string   `json:"unit"`
	Email     *string   `json:"email"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func toUserDTO(u user.User, loc *time.Location) userDTO {
	var unit *string
	if u.Unit != "" {
		unit = &u.Unit
	}
	var email *string
	if u.Email != "" {
		email = &u.Email
	}
	return userDTO{Username: u.Username, Name: u.Name, Role: string(u.Role), Unit: unit, Email: email, Disabled: u.Disabled,
		CreatedAt: u.CreatedAt.In(loc), UpdatedAt: u.UpdatedAt.In(loc)}
}

type createUserRequest struct {
	Username string `json:"username"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	Unit     string `json:"unit"`
	Password string `json:"password"`
	Email    string `json:"email"`
}

type patchUserRequest struct {
	Name     *string `json:"name"`
	Role     *string `json:"role"`
	Unit     *string `json:"unit"`
	Password *string `json:"password"`
	Disabled *bool   `json:"disabled"`
	Email    *string `json:"email"`
}

func (h *userHandler) list(c *gin.Context) (answer, error) {
	page, size, err := pageParams(c)
	if err != nil {
		return answer{}, err
	}
	items, total, err := h.svc.List(c.Request.Context(), principal(c), user.Filter{
		Role: user.Role(c.Query("role")),
		Unit: c.Query("unit"),
		Page: domain.Page{Page: page, PageSize: size},
	})
	if err != nil {
		return answer{}, err
	}
	return ok(newList(mapItems(items, func(u user.User) userDTO { return toUserDTO(u, h.loc) }), page, size, total)), nil
}

func (h *userHandler) get(c *gin.Context) (answer, error) {
	u, err := h.svc.Get(c.Request.Context(), principal(c), c.Param("username"))
	if err != nil {
		return answer{}, err
	}
	return ok(toUserDTO(u, h.loc)), nil
}

func (h *userHandler) create(c *gin.Context) (answer, error) {
	var req createUserRequest
	if err := decodeJSON(c, &req); err != nil {
		return answer{}, err
	}
	u, err := h.svc.Create(c.Request.Context(), principal(c), false, user.NewUser{Username: req.Username, Name: req.Name,
		Role: user.Role(req.Role), Unit: req.Unit, Password: req.Password, Email: req.Email})
	if err != nil {
		return answer{}, err
	}
	return created(toUserDTO(u, h.loc)), nil
}

func (h *userHandler) update(c *gin.Context) (answer, error) {
	var req patchUserRequest
	if err := decodeJSON(c, &req); err != nil {
		return answer{}, err
	}
	p := user.Patch{Name: req.Name, Unit: req.Unit, Password: req.Password, Disabled: req.Disabled, Email: req.Email}
	if req.Role != nil {
		r := user.Role(*req.Role)
		p.Role = &r
	}
	u, err := h.svc.Update(c.Request.Context(), principal(c), c.Param("username"), p)
	if err != nil {
		return answer{}, err
	}
	h.auditPatch(c, u.Username, req)
	return ok(toUserDTO(u, h.loc)), nil
}

// auditPatch records each kind of change a patch made: the role or unit,
// enabling or disabling, the password, and the name or e-mail address.
func (h *userHandler) auditPatch(c *gin.Context, username string, req patchUserRequest) {
	if req.Role != nil || req.Unit != nil {
		en := entry(c, audit.UserRoleChanged, username)
		switch {
		case req.Role != nil && req.Unit != nil:
			en.Detail = "role=" + *req.Role + " unit=" + *req.Unit
		case req.Role != nil:
			en.Detail = "role=" + *req.Role
		default:
			en.Detail = "unit=" + *req.Unit
		}
		h.record(c, en)
	}
	if req.Disabled != nil {
		a := audit.UserEnabled
		if *req.Disabled {
			a = audit.UserDisabled
		}
		h.record(c, entry(c, a, username))
	}
	if req.Password != nil {
		h.record(c, entry(c, audit.UserPasswordSet, username))
	}
	if req.Name != nil || req.Email != nil {
		h.record(c, entry(c, audit.UserUpdated, username))
	}
}
